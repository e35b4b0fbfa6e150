// UI addresses of a repository: /r/<name> and /r/<name>/-/<page...>. Names nest, and "-" alone
// is no valid path component of a repository name, so it separates the name from the page.
import type { Request } from 'express';

export interface UiRepoPath {
  name: string;
  /** The segments after "/-/" (empty for the repository page itself). */
  rest: string[];
}

export function uiRepoPath(req: Request): UiRepoPath {
  // Express 5 hands a wildcard parameter over as its (decoded) segments.
  const segments = (req.params.path as unknown as string[]).filter((s, i, all) => s !== '' || i < all.length - 1);
  const dash = segments.indexOf('-');
  return dash < 0 ? { name: segments.join('/'), rest: [] } : { name: segments.slice(0, dash).join('/'), rest: segments.slice(dash + 1) };
}

/** Whether the page part is exactly these segments, with any `:x` matching one segment. */
export function matches(rest: string[], ...pattern: string[]): boolean {
  return rest.length === pattern.length && pattern.every((p, i) => p.startsWith(':') || p === rest[i]);
}
