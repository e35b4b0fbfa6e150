// What a route handler is: a plain async function of the request, the response and the matched
// route (name already validated, access already granted).
import type { Request, Response } from 'express';
import { RegistryError } from '@wharf/shared';
import type { Grant } from '../auth/controller.js';
import type { RouteId } from './route-table.js';

export interface V2Context {
  id: RouteId;
  /** Validated repository name ('' for base and catalog). */
  name: string;
  /** The route's last path segment: reference, digest or upload id. */
  param: string;
  grant: Grant;
  /** Whether the grant covers pulling from the source of a requested cross-repository mount. */
  mayMount: boolean;
}

export type Handler = (req: Request, res: Response, ctx: V2Context) => Promise<void>;
export type MethodTable = Partial<Record<'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', Handler>>;

/** Every v2 response carries the API version header (Docker registry API, "API Version Check"). */
export const apiVersionHeader = { 'Docker-Distribution-API-Version': 'registry/2.0' } as const;

/** Reads a single-valued query parameter; repeated values are rejected by returning the first. */
export function queryParam(req: Request, key: string): string | undefined {
  const value = (req.query as Record<string, unknown>)[key];
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

/**
 * DELETE of manifests and blobs while `storage.delete.enabled` is off: 405 UNSUPPORTED, after
 * authorization as Distribution answers it, saying why (not "not supported on this endpoint").
 */
export const deletesDisabled: Handler = async () => {
  throw new RegistryError('UNSUPPORTED', { message: 'deletes are disabled on this registry (registry.storage.delete.enabled)' });
};
