// The calls the registry makes to the index to validate v1 tokens (docs/protocol-v1.md, "Index routes"
// and "Sequences (Docker 1.5)"), with the client's
// Authorization header forwarded verbatim:
//   read/write token  GET <index>/v1/repositories/<name>/images   200 = valid for <name>
//   delete token      PUT <index>/v1/repositories/<name>/auth     200 = valid delete token
//   no token          GET <index>/v1/repositories/<name>/images   200 = the repository is public
// 401/403/404 mean no; anything else (or no answer) is the index being unavailable: 503, never
// a "no", so an index outage is not mistaken for a bad token.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { V1Access } from '@wharf/shared';
import { V1Error } from '../errors.js';
import { AnswerCache } from './answer-cache.js';

export interface IndexClientOptions {
  /** The index's base URL (no trailing slash needed). */
  url: string;
  cacheTtlMs: number;
  logger: Logger;
  now?: () => number;
  /** How long one call may take. */
  timeoutMs?: number;
}

export interface IndexClient {
  /** Whether the index confirms the token in `authorization` for `repository` with `access`. */
  validate(authorization: string, repository: string, access: V1Access): Promise<boolean>;
  isPublic(repository: string): Promise<boolean>;
}

const denied = new Set([401, 403, 404]);

export function createIndexClient(options: IndexClientOptions): IndexClient {
  const base = options.url.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const cache = new AnswerCache({ ttlMs: options.cacheTtlMs, ...(options.now ? { now: options.now } : {}) });

  const ask = async (method: 'GET' | 'PUT', path: string, authorization?: string): Promise<boolean> => {
    let status: number;
    try {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: authorization ? { Authorization: authorization } : {},
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = res.status;
      await res.body?.cancel();
    } catch (err) {
      options.logger.warn({ path, err: (err as Error).message }, 'index not reachable for v1 token validation');
      throw new V1Error('INDEX_UNAVAILABLE');
    }
    if (status === 200) return true;
    if (denied.has(status)) return false;
    options.logger.warn({ path, status }, 'index gave an unexpected answer to v1 token validation');
    throw new V1Error('INDEX_UNAVAILABLE');
  };

  return {
    validate(authorization, repository, access) {
      // The key holds a hash of the header, never the token itself.
      const key = `token\0${repository}\0${access}\0${createHash('sha256').update(authorization).digest('hex')}`;
      return cache.get(key, () =>
        access === 'delete'
          ? ask('PUT', `/v1/repositories/${repository}/auth`, authorization)
          : ask('GET', `/v1/repositories/${repository}/images`, authorization),
      );
    },
    isPublic(repository) {
      return cache.get(`public\0${repository}`, () => ask('GET', `/v1/repositories/${repository}/images`));
    },
  };
}
