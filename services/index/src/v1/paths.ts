// How v1 addresses a repository (docs/protocol-v1.md, "Names"): `/v1/repositories/<r>/`,
// `<r>/images` and `<r>/auth`, where <r> is `<namespace>/<repo>` or a bare `<repo>` meaning
// `library/<repo>` (old clients send either form on different calls).
import { isRepositoryName, normalizeV1Name } from '@wharf/shared';
import { IndexError } from '../http/errors.js';

export type V1Resource = 'repository' | 'images' | 'auth';

export interface V1Path {
  /** Always `<namespace>/<repo>`. */
  repository: string;
  resource: V1Resource;
}

const subResources: Partial<Record<string, V1Resource>> = { images: 'images', auth: 'auth' };

/**
 * Splits the URL segments after /v1/repositories/ (already decoded). Docker always ends the
 * repository resource with a slash, so `foo/images` is library/foo's images, never a repository
 * named foo/images; without the slash a plain name still reads as the repository (curl users).
 */
export function parseV1RepositoryPath(segments: readonly string[]): V1Path {
  const trailingSlash = segments.at(-1) === '';
  const parts = trailingSlash ? segments.slice(0, -1) : [...segments];
  const sub = !trailingSlash && parts.length >= 2 ? subResources[parts.at(-1)!] : undefined;
  const nameParts = sub ? parts.slice(0, -1) : parts;
  const repository = normalizeV1Name(nameParts.join('/'));
  // v1 names have exactly two components; nested v2 names are out of its reach.
  if (nameParts.length > 2 || !isRepositoryName(repository) || repository.split('/').length !== 2) {
    throw new IndexError('INVALID_REQUEST', { message: 'invalid repository name', detail: { repository: nameParts.join('/') } });
  }
  return { repository, resource: sub ?? 'repository' };
}
