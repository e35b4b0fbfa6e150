// v1 auth with an index (docs/protocol-v1.md, "Registry routes"): a request carries
// `Authorization: Token signature=…,repository="ns/repo",access=…`. The token's repository must be
// the URL's, its access must fit the method (v1AccessAllows), and the index must confirm it.
// Without a token, only reads of public repositories pass (the npm client, and any client whose
// token stays on the index's host, sends none to a registry on another port).
import { v1AccessAllows, v1TokenFromHeader, type V1Token } from '@wharf/shared';
import type { AuthRequest } from '../../auth/controller.js';
import { requiresAuthorization } from '../errors.js';
import { parseV1Name } from '../names.js';
import { isReadMethod, type V1Authorizer, type V1Grant } from './authorizer.js';
import type { IndexClient } from './index-client.js';

/** The Token-scheme credentials of a request: none, a parsed token, or a malformed one. */
function tokenOf(request: AuthRequest): { header: string; token: V1Token | undefined } | undefined {
  const header = request.headers.authorization;
  // Another scheme (Basic, Bearer) is no v1 token: the request is treated as anonymous.
  if (!header || !/^Token\s/i.test(header.trim())) return undefined;
  return { header, token: v1TokenFromHeader(header) };
}

export function indexAuthorizer(index: IndexClient): V1Authorizer {
  /** Validates a token for `method`; `name` is the URL's repository when the route has one. */
  const validate = async (header: string, token: V1Token | undefined, method: string, name?: string): Promise<V1Grant> => {
    if (!token) throw requiresAuthorization();
    // Checked against the grammar before it goes into the index's URL.
    const repository = parseV1Name(token.repository);
    if (!repository || (name !== undefined && repository !== name)) throw requiresAuthorization();
    if (!v1AccessAllows(token.access, method)) throw requiresAuthorization();
    if (!(await index.validate(header, repository, token.access))) throw requiresAuthorization();
    return { trusted: false, repository, access: token.access, anonymous: false };
  };

  return {
    standalone: false,
    async repository(request, name, method) {
      const credentials = tokenOf(request);
      if (credentials) return validate(credentials.header, credentials.token, method, name);
      if (isReadMethod(method) && (await index.isPublic(name))) {
        return { trusted: false, repository: name, access: 'read', anonymous: true };
      }
      throw requiresAuthorization();
    },
    async image(request, method) {
      const credentials = tokenOf(request);
      if (credentials) return validate(credentials.header, credentials.token, method);
      // Whether the image is public is image-access.ts's to say, once the image is known.
      if (isReadMethod(method)) return { trusted: false, access: 'read', anonymous: true };
      throw requiresAuthorization();
    },
    isPublic: (name) => index.isPublic(name),
  };
}
