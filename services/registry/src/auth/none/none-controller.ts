// auth: none — every request may do everything (a registry on a trusted network).
import type { AccessController } from '../controller.js';

export function createNoneController(): AccessController {
  return {
    kind: 'none',
    async authorize(_request, access) {
      return { access };
    },
  };
}
