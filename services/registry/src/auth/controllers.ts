// Builds the access controller the config names; exactly one is configured (none by default).
import type { RegistryConfig } from '../config/schema.js';
import type { AccessController } from './controller.js';
import { loadHtpasswd } from './htpasswd/htpasswd-file.js';
import { createHtpasswdController } from './htpasswd/htpasswd-controller.js';
import { createNoneController } from './none/none-controller.js';

export async function createConfiguredController(auth: RegistryConfig['auth']): Promise<AccessController> {
  if (auth.htpasswd) {
    return createHtpasswdController({ realm: auth.htpasswd.realm, entries: await loadHtpasswd(auth.htpasswd.path) });
  }
  return createNoneController();
}
