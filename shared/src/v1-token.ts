// Legacy v1 tokens (docs/protocol-v1.md): `signature=<opaque>,repository="<ns>/<repo>",access=read`.
// The index issues them in X-Docker-Token; clients send them back as `Authorization: Token …`.
// Parsing is loose, as registries have always been: quotes optional, '=' or ':' separators.

export type V1Access = 'read' | 'write' | 'delete';

export interface V1Token {
  signature: string;
  repository: string;
  access: V1Access;
}

const accesses: readonly V1Access[] = ['read', 'write', 'delete'];

export function formatV1Token(token: V1Token): string {
  return `signature=${token.signature},repository="${token.repository}",access=${token.access}`;
}

/** Parses a token value (without the "Token " scheme); undefined when a part is missing. */
export function parseV1Token(value: string): V1Token | undefined {
  const fields = new Map<string, string>();
  for (const part of value.split(',')) {
    const match = /^\s*([a-zA-Z]+)\s*[=:]\s*"?([^"]*)"?\s*$/.exec(part);
    if (match) fields.set(match[1]!.toLowerCase(), match[2]!);
  }
  const signature = fields.get('signature');
  const repository = fields.get('repository');
  const access = fields.get('access');
  if (!signature || !repository || !access || !accesses.includes(access as V1Access)) return undefined;
  return { signature, repository, access: access as V1Access };
}

/** The token from an Authorization header using the Token scheme. */
export function v1TokenFromHeader(header: string | undefined): V1Token | undefined {
  const match = header ? /^Token\s+(.+)$/i.exec(header.trim()) : null;
  return match ? parseV1Token(match[1]!) : undefined;
}

/** Whether a token's access fits an HTTP method (write also reads: Docker looks images up with its push token). */
export function v1AccessAllows(access: V1Access, method: string): boolean {
  const reading = method === 'GET' || method === 'HEAD';
  if (access === 'delete') return method === 'DELETE';
  if (access === 'write') return reading || method === 'PUT' || method === 'POST';
  return reading;
}
