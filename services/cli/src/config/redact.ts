// `wharf config check` prints the effective configuration, which people paste into tickets and
// CI logs: secrets (from the file or from WHARF_* variables) are replaced, never printed.

export const redacted = '<redacted>';

/** Options whose string value is a secret, by key name wherever they appear. */
const secretKeys = new Set(['secretKey', 'accountKey', 'connectionString', 'password', 'token', 'secret']);
/** Options whose every value is a secret (notification endpoints' headers carry credentials). */
const secretMaps = new Set(['headers']);

/** A copy of `value` with every secret string replaced by `<redacted>`. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (secretKeys.has(key) && typeof inner === 'string') out[key] = redacted;
    else if (secretMaps.has(key) && typeof inner === 'object' && inner !== null && !Array.isArray(inner))
      out[key] = Object.fromEntries(Object.keys(inner).map((k) => [k, redacted]));
    else out[key] = redactSecrets(inner);
  }
  return out;
}
