// What a v1 route handler is: a plain async function of the request, the response and the
// matched route, with its parameters validated and its grant decided by the dispatcher.
import type { Request, Response } from 'express';
import type { V1Grant } from '../auth/authorizer.js';
import type { V1RouteId } from './route-table.js';

export interface V1Context {
  id: V1RouteId;
  /** Normalized, validated `<ns>/<repo>` ('' on image and ping routes). */
  name: string;
  /** Validated image id ('' on other routes). */
  image: string;
  /** Validated tag ('' on other routes). */
  tag: string;
  /** What the request was granted (on ping, which needs nothing: an anonymous read). */
  grant: V1Grant;
}

export type V1Handler = (req: Request, res: Response, ctx: V1Context) => Promise<void>;
export type V1MethodTable = Partial<Record<'GET' | 'HEAD' | 'PUT' | 'DELETE', V1Handler>>;
export type V1RouteTables = Record<V1RouteId, V1MethodTable>;
