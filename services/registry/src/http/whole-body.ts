// Request bodies the registry reads whole before acting on them (a manifest, v1 image JSON, a v1
// tag). Each is capped by its own limit, and all of them together by one byte budget per
// process (http.bufferedBodyBytes): without it, every open connection sending a 4 MiB manifest
// at once would make the process hold maxConnections x maxManifestBytes. The budget counts the
// bytes that arrived, not those announced: a client that announces 4 MiB and stalls holds
// nothing, so stalled bodies cannot lock others out; one that sends them holds them until its
// request ends (the idle timeout ends a stalled one).
import type { Request } from 'express';
import { ByteBudget, RegistryError } from '@wharf/shared';

/** What a client whose body finds the budget spent is told to wait before trying again. */
const retryAfterSeconds = 1;

export function createBodyBudget(bytes: number): ByteBudget {
  return new ByteBudget(bytes);
}

/**
 * Reads the body, at most `limit` bytes: `tooLarge()` is thrown (with the rest of the body
 * drained) past it. A chunk that does not fit in the budget ends the request at once with 503
 * UNAVAILABLE (Retry-After), rather than waiting on other clients' bodies.
 */
export async function readWholeBody(req: Request, limit: number, budget: ByteBudget, tooLarge: (declared?: number) => Error): Promise<Buffer> {
  const length = req.headers['content-length'];
  const declared = length === undefined ? undefined : Number(length);
  if (declared !== undefined && declared > limit) {
    req.resume();
    throw tooLarge(declared);
  }
  const releases: (() => void)[] = [];
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of req) {
      const bytes = (chunk as Buffer).length;
      total += bytes;
      if (total > limit) {
        req.resume();
        throw tooLarge();
      }
      const release = budget.tryAcquire(bytes);
      if (!release) {
        req.resume();
        throw new RegistryError('UNAVAILABLE', {
          message: `the registry is holding ${budget.capacityBytes} bytes of request bodies (http.bufferedBodyBytes); try again`,
          headers: { 'Retry-After': String(retryAfterSeconds) },
        });
      }
      releases.push(release);
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks, total);
  } finally {
    releases.forEach((release) => release());
  }
}
