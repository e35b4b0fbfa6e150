// The auth contract (as Distribution's registry/auth): a controller answers whether a request
// may have the access it needs, or throws an UNAUTHORIZED/DENIED RegistryError that carries its
// own WWW-Authenticate challenge.
import type { IncomingHttpHeaders } from 'node:http';
import type { AccessRecord } from '@wharf/shared';

export interface AuthRequest {
  headers: IncomingHttpHeaders;
}

export interface Grant {
  /** The authenticated account, if any (for logs and events). */
  user?: string;
  /** What was granted; controllers that grant everything return what was asked. */
  access: AccessRecord[];
}

export interface AccessController {
  readonly kind: string;
  authorize(request: AuthRequest, access: AccessRecord[]): Promise<Grant>;
  /** Why the controller cannot decide yet (token mode: no signing keys loaded), or undefined when it can. */
  notReady?(): string | undefined;
}

/** What a controller keeps of verified credentials when not told (cache.authBytes' default). */
export const defaultAuthCacheBytes = 16 * 1024 * 1024;
