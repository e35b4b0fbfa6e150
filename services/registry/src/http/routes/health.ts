// The registry's readiness checks (/readyz, /health): the storage driver answers a cheap stat of
// the root — a root not created yet (nothing pushed) is fine — and, in token mode, signing keys
// are loaded, since without them every authenticated request would be refused.
import { NotReady, type ReadinessCheck } from '@wharf/common';
import type { AccessController } from '../../auth/controller.js';
import { isPathNotFound } from '../../storage/driver/driver.js';
import type { RegistryStorage } from '../../storage/registry-storage.js';

export function registryReadiness(storage: RegistryStorage, auth: AccessController): Record<string, ReadinessCheck> {
  const checks: Record<string, ReadinessCheck> = {
    storage: async () => {
      try {
        await storage.driver.stat('/');
      } catch (err) {
        if (!isPathNotFound(err)) throw err;
      }
    },
  };
  if (auth.notReady) {
    const notReady = auth.notReady.bind(auth);
    checks.auth = () => {
      const reason = notReady();
      if (reason) throw new NotReady(reason);
    };
  }
  return checks;
}
