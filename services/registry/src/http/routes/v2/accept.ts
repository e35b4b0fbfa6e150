// Content negotiation for manifests (OCI spec, content-negotiation.md): a manifest is served
// when the Accept header lists its media type or a wildcard, or when there is no Accept header.

export function acceptsMediaType(accept: string | undefined, mediaType: string): boolean {
  if (!accept) return true;
  for (const part of accept.split(',')) {
    const [type, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (!type) continue;
    if (params.some((p) => /^q=0(\.0*)?$/.test(p))) continue;
    if (type === '*/*' || type === mediaType || (type.endsWith('/*') && mediaType.startsWith(type.slice(0, -1)))) {
      return true;
    }
  }
  return false;
}
