// v1 repository names (docs/protocol-v1.md, "Names"): `<namespace>/<repo>`, where a bare `foo` means
// `library/foo`; each component follows the shared (v2) grammar, so a v1 name is also a valid v2
// name for the bridge. Anything else is no v1 name — never put into a path or an index URL.
import { isRepositoryName, normalizeV1Name } from '@wharf/shared';

export function parseV1Name(raw: string): string | undefined {
  const name = normalizeV1Name(raw);
  return isRepositoryName(name) && name.split('/').length === 2 ? name : undefined;
}
