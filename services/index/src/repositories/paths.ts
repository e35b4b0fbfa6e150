// How the JSON API addresses a repository and its sub-resources. Names nest ("ns/a/b"), so a
// sub-resource is recognised by its suffix, and only when at least "<namespace>/<name>" remains
// in front of it. A name that would itself read as such a suffix could never be reached, so
// repository creation refuses it (isAddressable).
//
//   <name>                           the repository
//   <name>/collaborators             its collaborators
//   <name>/collaborators/<username>  one collaborator
//   <name>/star                      the caller's star
//   <name>/comments                  its comments
//   <name>/comments/<id>             one comment

export type RepositoryResource = 'repository' | 'collaborators' | 'collaborator' | 'star' | 'comments' | 'comment';

export interface RepositoryPath {
  repository: string;
  resource: RepositoryResource;
  /** The username or comment id of a single-item resource. */
  argument?: string;
}

const collections: Partial<Record<string, RepositoryResource>> = { collaborators: 'collaborators', star: 'star', comments: 'comments' };
const items: Partial<Record<string, RepositoryResource>> = { collaborators: 'collaborator', comments: 'comment' };

/** Splits URL path segments (already decoded) into a repository name and a sub-resource. */
export function parseRepositoryPath(segments: readonly string[]): RepositoryPath {
  // "/api/repositories/ns/app/" arrives with one empty trailing segment.
  const parts = segments.at(-1) === '' ? segments.slice(0, -1) : [...segments];
  const n = parts.length;
  const item = n >= 4 ? items[parts[n - 2]!] : undefined;
  if (item) return { repository: parts.slice(0, n - 2).join('/'), resource: item, argument: parts[n - 1]! };
  const collection = n >= 3 ? collections[parts[n - 1]!] : undefined;
  if (collection) return { repository: parts.slice(0, n - 1).join('/'), resource: collection };
  return { repository: parts.join('/'), resource: 'repository' };
}

/** Whether the API can address this repository name (it does not read as a sub-resource). */
export function isAddressable(name: string): boolean {
  return parseRepositoryPath(name.split('/')).resource === 'repository';
}
