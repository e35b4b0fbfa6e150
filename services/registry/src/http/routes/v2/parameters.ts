// Validation of path and query parameters shared by the v2 routes; each failure is the spec's code.
import { DigestError, isTag, parseDigest, RegistryError } from '@wharf/shared';
import type { Request } from 'express';
import { queryParam } from '../../handler.js';

export function requireDigest(value: string | undefined): string {
  if (value === undefined || value === '') throw new RegistryError('DIGEST_INVALID', { message: 'digest required' });
  try {
    return parseDigest(value).digest;
  } catch (err) {
    if (err instanceof DigestError) {
      throw new RegistryError('DIGEST_INVALID', { message: err.message, detail: { digest: value } });
    }
    throw err;
  }
}

/** A manifest reference: a digest (contains ':') or a tag. */
export function parseReference(value: string, invalidTag: 'TAG_INVALID' | 'MANIFEST_UNKNOWN'): string {
  if (value.includes(':')) return requireDigest(value);
  if (!isTag(value)) throw new RegistryError(invalidTag, { message: `invalid tag ${JSON.stringify(value)}`, detail: { tag: value } });
  return value;
}

/** The pagination parameters `n` and `last` (OCI spec end-8b; Docker API "Pagination"). */
export function pagination(req: Request, defaultN: number | undefined, maxN: number): { n: number | undefined; last: string | undefined } {
  const raw = queryParam(req, 'n');
  let n = defaultN;
  if (raw !== undefined) {
    if (!/^\d+$/.test(raw)) throw new RegistryError('PAGINATION_NUMBER_INVALID', { detail: { n: raw } });
    n = Number(raw);
    if (n > maxN) throw new RegistryError('PAGINATION_NUMBER_INVALID', { message: `n must be at most ${maxN}`, detail: { n: raw } });
  }
  return { n, last: queryParam(req, 'last') };
}

/** The Link header to the next page (RFC 8288), relative, as Distribution sends it. */
export function nextLink(path: string, n: number, last: string): string {
  return `<${path}?last=${encodeURIComponent(last)}&n=${n}>; rel="next"`;
}
