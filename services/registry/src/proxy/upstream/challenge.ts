// WWW-Authenticate challenges as registries send them (RFC 7235 auth-params; Docker token.md:
// `Bearer realm="…",service="…",scope="…"`, or `Basic realm="…"` from htpasswd registries).
// Only the first challenge is read: registries send one.

export interface Challenge {
  /** Lower-cased: 'bearer', 'basic', … */
  scheme: string;
  /** Parameter names lower-cased, values unquoted. */
  params: Record<string, string>;
}

const param = /\s*([A-Za-z0-9_.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))\s*,?/y;

export function parseChallenge(header: string | null | undefined): Challenge | undefined {
  const match = /^\s*([A-Za-z][A-Za-z0-9_-]*)(?:\s+|$)/.exec(header ?? '');
  if (!match) return undefined;
  const params: Record<string, string> = {};
  param.lastIndex = match[0].length;
  let next: RegExpExecArray | null;
  while ((next = param.exec(header!)) !== null) {
    params[next[1]!.toLowerCase()] = next[2] !== undefined ? next[2].replace(/\\(.)/g, '$1') : (next[3] ?? '');
    if (param.lastIndex >= header!.length) break;
  }
  return { scheme: match[1]!.toLowerCase(), params };
}
