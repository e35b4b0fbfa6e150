// The v1 auth contract: what a v1 request was granted, and the two ways to decide it — against
// the index that issued the token (index-validator.ts) or with the registry's own controller
// when there is no index (standalone.ts). Decisions about single images, which depend on what
// storage says belongs to the token's repository, are image-access.ts's.
import type { AuthRequest } from '../../auth/controller.js';
import type { V1Access } from '@wharf/shared';

export interface V1Grant {
  /** Standalone: the registry's own auth let the request in, and per-image checks do not apply. */
  trusted: boolean;
  /** The repository the token is for; absent for an anonymous request on an image route. */
  repository?: string;
  access: V1Access;
  /** No token: only public content may be read. */
  anonymous: boolean;
  /** The account, when the registry's own auth knows it (for logs and events). */
  user?: string;
}

export interface V1Authorizer {
  /** "True" or "False", for X-Docker-Registry-Standalone. */
  readonly standalone: boolean;
  /** A route naming a repository (tags, repository delete). Throws a 401 V1Error when denied. */
  repository(request: AuthRequest, name: string, method: string): Promise<V1Grant>;
  /** A route naming an image only (/v1/images/<id>/…). Throws a 401 V1Error when denied. */
  image(request: AuthRequest, method: string): Promise<V1Grant>;
  /** Whether anyone may read the repository (asked for images that belong to it). */
  isPublic(name: string): Promise<boolean>;
}

export function isReadMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD';
}
