// `wharf serve` with its v1 halves connected: the registry validates v1 tokens against this
// index (registry.v1.index) and the index hands out this registry (index.v1.endpoints). Each
// of those settings names the other service's port, so they come from wharf-stack's env
// function, which sees the addresses before the start.
import { startWharfStack, type WharfStack, type WharfStackOptions } from './wharf-stack.js';

/** "user:password" of the site admin the stack starts with. */
export const v1StackAdmin = 'siteadmin:admin-password-v1-e2e';

export interface V1StackOptions extends Pick<WharfStackOptions, 'logLevel'> {
  /** Further WHARF_* settings (they win over the helper's own). */
  env?: Record<string, string>;
}

export type V1Stack = WharfStack;

export function startV1Stack(opts: V1StackOptions = {}): Promise<V1Stack> {
  const [adminName, adminPassword] = v1StackAdmin.split(':') as [string, string];
  return startWharfStack({
    dataDirPrefix: 'wharf-v1-stack-',
    logLevel: opts.logLevel,
    env: ({ indexUrl, registryHost }) => ({
      WHARF_INDEX_V1_ENDPOINTS: registryHost,
      // A site admin: only admins push one-segment names (library/<name>).
      WHARF_INDEX_ACCOUNTS_INITIALADMIN_USERNAME: adminName,
      WHARF_INDEX_ACCOUNTS_INITIALADMIN_PASSWORD: adminPassword,
      WHARF_REGISTRY_STORAGE_DELETE_ENABLED: 'true',
      WHARF_REGISTRY_V1_INDEX: indexUrl,
      // Short, so a deleted user's or a revoked repository's cached "yes" runs out within a test.
      WHARF_REGISTRY_V1_TOKENCACHETTL: '2s',
      ...opts.env,
    }),
  });
}
