// Every v2 route, named once (as Distribution's registry/api/v2/routes.go). Names are matched
// loosely here and validated against the grammar by the dispatcher, so a malformed name gets
// NAME_INVALID rather than a bare 404.

export type RouteId = 'base' | 'catalog' | 'tags' | 'manifest' | 'upload' | 'upload-chunk' | 'blob' | 'referrers';

export interface MatchedRoute {
  id: RouteId;
  name?: string;
  /** tag or digest (manifest), digest (blob, referrers) or upload id (upload-chunk) */
  param?: string;
}

const name = '(?<name>[^?#]+?)';
const segment = '(?<param>[^/]+)';

const table: [RouteId, RegExp][] = [
  ['base', /^\/v2\/?$/],
  ['catalog', /^\/v2\/_catalog$/],
  ['tags', new RegExp(`^/v2/${name}/tags/list$`)],
  ['manifest', new RegExp(`^/v2/${name}/manifests/${segment}$`)],
  ['upload-chunk', new RegExp(`^/v2/${name}/blobs/uploads/${segment}$`)],
  ['upload', new RegExp(`^/v2/${name}/blobs/uploads/?$`)],
  ['blob', new RegExp(`^/v2/${name}/blobs/${segment}$`)],
  ['referrers', new RegExp(`^/v2/${name}/referrers/${segment}$`)],
];

export function matchRoute(path: string): MatchedRoute | undefined {
  for (const [id, pattern] of table) {
    const match = pattern.exec(path);
    if (!match) continue;
    const route: MatchedRoute = { id };
    if (match.groups?.name !== undefined) route.name = match.groups.name;
    if (match.groups?.param !== undefined) route.param = match.groups.param;
    return route;
  }
  return undefined;
}
