// Every v1 registry route, named once (docs/protocol-v1.md, "Registry routes"). A name is one segment
// (`foo`, meaning library/foo) or two; the patterns are tried in order and the dispatcher takes
// the first that has the request's method, so `DELETE /v1/repositories/foo/tags/` deletes the
// repository foo/tags while `GET /v1/repositories/foo/tags` lists library/foo's tags.

export type V1RouteId = 'ping' | 'image-json' | 'image-layer' | 'image-checksum' | 'image-ancestry' | 'tag' | 'tags' | 'repository';

export interface V1MatchedRoute {
  id: V1RouteId;
  /** The repository name as written in the URL (not yet normalized or validated). */
  name?: string;
  /** The image id as written in the URL (not yet validated). */
  image?: string;
  tag?: string;
}

const name = '(?<name>[^/]+(?:/[^/]+)?)';

const table: [V1RouteId, RegExp][] = [
  ['ping', /^\/(?:v1\/)?_ping\/?$/],
  ['image-json', /^\/v1\/images\/(?<image>[^/]+)\/json\/?$/],
  ['image-layer', /^\/v1\/images\/(?<image>[^/]+)\/layer\/?$/],
  ['image-checksum', /^\/v1\/images\/(?<image>[^/]+)\/checksum\/?$/],
  ['image-ancestry', /^\/v1\/images\/(?<image>[^/]+)\/ancestry\/?$/],
  ['tag', new RegExp(`^/v1/repositories/${name}/tags/(?<tag>[^/]+)/?$`)],
  ['tags', new RegExp(`^/v1/repositories/${name}/tags/?$`)],
  ['repository', new RegExp(`^/v1/repositories/${name}/?$`)],
];

/** Every route the path matches, in the table's order. */
export function matchV1Routes(path: string): V1MatchedRoute[] {
  const matches: V1MatchedRoute[] = [];
  for (const [id, pattern] of table) {
    const match = pattern.exec(path);
    if (!match) continue;
    const route: V1MatchedRoute = { id };
    const groups = match.groups ?? {};
    if (groups.name !== undefined) route.name = groups.name;
    if (groups.image !== undefined) route.image = groups.image;
    if (groups.tag !== undefined) route.tag = groups.tag;
    matches.push(route);
  }
  return matches;
}

export function isImageRoute(id: V1RouteId): boolean {
  return id.startsWith('image-');
}
