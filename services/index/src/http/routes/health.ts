// The index's readiness checks (/readyz, /health): its database answers and it has keys to sign
// tokens with; without either, logins and token requests would fail.
import { NotReady, type ReadinessCheck } from '@wharf/common';
import { prepared } from '../../db/open.js';
import type { IndexStore } from '../../db/store.js';
import type { SigningKey } from '../../tokens/keys.js';

export function indexReadiness(store: IndexStore, signingKeys: () => SigningKey[]): Record<string, ReadinessCheck> {
  return {
    database: () => prepared(store.db, 'SELECT 1').get(),
    signingKeys: () => {
      if (signingKeys().length === 0) throw new NotReady('no token signing keys loaded');
    },
  };
}
