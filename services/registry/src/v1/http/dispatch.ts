// The one path every v1 request takes, as the v2 dispatcher: match the route, pick the handler
// for the method (HEAD is served by GET's, without a body), validate the name, image id and tag
// before anything touches storage or the index, authorize, then call the handler.
import type { NextFunction, Request, Response } from 'express';
import { isTag } from '@wharf/shared';
import type { V1Authorizer, V1Grant } from '../auth/authorizer.js';
import { V1Error } from '../errors.js';
import { parseV1Name } from '../names.js';
import { isImageId } from '../storage/image-store.js';
import type { V1Context, V1Handler, V1RouteTables } from './handler.js';
import { isImageRoute, matchV1Routes, type V1MatchedRoute } from './route-table.js';

const pingGrant: V1Grant = { trusted: false, access: 'read', anonymous: true };

function handlerFor(tables: V1RouteTables, routes: V1MatchedRoute[], method: string): [V1MatchedRoute, V1Handler] | undefined {
  for (const route of routes) {
    const table = tables[route.id];
    const handler = table[method as keyof typeof table] ?? (method === 'HEAD' ? table.GET : undefined);
    if (handler) return [route, handler];
  }
  return undefined;
}

function validated(route: V1MatchedRoute): Omit<V1Context, 'grant'> {
  let name = '';
  if (route.name !== undefined) {
    const parsed = parseV1Name(route.name);
    if (!parsed) throw new V1Error('INVALID_NAME');
    name = parsed;
  }
  if (route.image !== undefined && !isImageId(route.image)) throw new V1Error('INVALID_IMAGE_ID');
  if (route.tag !== undefined && !isTag(route.tag)) throw new V1Error('INVALID_TAG');
  return { id: route.id, name, image: route.image ?? '', tag: route.tag ?? '' };
}

export function v1Dispatcher(tables: V1RouteTables, authorizer: V1Authorizer, readOnly = false) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const routes = matchV1Routes(req.baseUrl + req.path);
    if (routes.length === 0) throw new V1Error('NOT_FOUND');
    const found = handlerFor(tables, routes, req.method);
    if (!found) throw new V1Error('METHOD_NOT_ALLOWED');
    const [route, handler] = found;
    const params = validated(route);
    let grant = pingGrant;
    if (route.id !== 'ping') {
      grant = isImageRoute(route.id) ? await authorizer.image(req, req.method) : await authorizer.repository(req, params.name, req.method);
    }
    if (grant.user) res.locals.user = grant.user;
    if (readOnly && req.method !== 'GET' && req.method !== 'HEAD') throw new V1Error('READ_ONLY');
    await handler(req, res, { ...params, grant });
    if (!res.headersSent) next();
  };
}
