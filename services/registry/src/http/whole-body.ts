// Request bodies the registry reads whole before acting on them (a manifest, v1 image JSON, a v1
// tag). Each is capped by its own limit, and all of them together by one byte budget per
// process (http.bufferedBodyBytes): without it, every open connection sending a 4 MiB manifest
// at once would make the process hold maxConnections x maxManifestBytes.
import type { Request } from 'express';
import { ByteBudget, RegistryError, SemaphoreTimeoutError } from '@wharf/shared';

/** How long a body waits for its share of the budget before 503. */
export const bodyBudgetWaitMs = 10_000;

export function createBodyBudget(bytes: number): ByteBudget {
  return new ByteBudget(bytes);
}

/**
 * Reads the body, at most `limit` bytes: `tooLarge()` is thrown (with the rest of the body
 * drained) past it. The bytes it may hold are reserved first: the declared Content-Length, or the
 * limit when none is declared; with none free within bodyBudgetWaitMs, 503 UNAVAILABLE.
 */
export async function readWholeBody(req: Request, limit: number, budget: ByteBudget, tooLarge: (declared?: number) => Error): Promise<Buffer> {
  const length = req.headers['content-length'];
  const declared = length === undefined ? undefined : Number(length);
  if (declared !== undefined && declared > limit) {
    req.resume();
    throw tooLarge(declared);
  }
  const release = await reserve(budget, declared ?? limit);
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of req) {
      total += (chunk as Buffer).length;
      if (total > limit) {
        req.resume();
        throw tooLarge();
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks, total);
  } finally {
    release();
  }
}

async function reserve(budget: ByteBudget, bytes: number): Promise<() => void> {
  try {
    return await budget.acquire(bytes, bodyBudgetWaitMs);
  } catch (err) {
    if (!(err instanceof SemaphoreTimeoutError)) throw err;
    throw new RegistryError('UNAVAILABLE', {
      message: `the registry is reading too many request bodies at once: none was free within ${bodyBudgetWaitMs} ms`,
      headers: { 'Retry-After': String(Math.ceil(bodyBudgetWaitMs / 1000)) },
    });
  }
}
