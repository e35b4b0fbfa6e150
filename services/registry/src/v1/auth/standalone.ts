// v1 auth without an index (docs/protocol-v1.md, "Token", standalone): the registry
// never validates a token; its own controller decides, as for v2. Docker 1.x sends its Basic
// credentials to a registry that says X-Docker-Registry-Standalone: True, so htpasswd works as is.
// Only controllers that grant everything to whoever they admit (none, htpasswd) are used here:
// their grants are "trusted", so per-image checks do not apply. A token controller scopes grants
// to repositories, which image routes cannot name, so enable.ts does not pair it with v1.
import type { AccessController } from '../../auth/controller.js';
import type { V1Access } from '@wharf/shared';
import type { V1Authorizer } from './authorizer.js';

/** The v2 actions a v1 method needs, as http/access.ts asks for them. */
function actionsFor(method: string): { actions: string[]; access: V1Access } {
  if (method === 'DELETE') return { actions: ['delete'], access: 'delete' };
  if (method === 'PUT' || method === 'POST') return { actions: ['pull', 'push'], access: 'write' };
  return { actions: ['pull'], access: 'read' };
}

export const standaloneControllerKinds: readonly string[] = ['none', 'htpasswd'];

export function standaloneAuthorizer(controller: AccessController): V1Authorizer {
  return {
    standalone: true,
    async repository(request, name, method) {
      const { actions, access } = actionsFor(method);
      const grant = await controller.authorize(request, [{ type: 'repository', name, actions }]);
      return { trusted: true, repository: name, access, anonymous: false, ...(grant.user ? { user: grant.user } : {}) };
    },
    async image(request, method) {
      const { access } = actionsFor(method);
      const grant = await controller.authorize(request, []);
      return { trusted: true, access, anonymous: false, ...(grant.user ? { user: grant.user } : {}) };
    },
    isPublic: async () => false,
  };
}
