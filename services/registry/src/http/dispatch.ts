// The one path every v2 request takes (as Distribution's dispatcher): match the route, validate
// the repository name against the grammar before anything touches storage, authorize what the
// route needs, then call the handler for the method. A method the route lacks is UNSUPPORTED.
import type { NextFunction, Request, Response } from 'express';
import { isRepositoryName, RegistryError } from '@wharf/shared';
import type { AccessController } from '../auth/controller.js';
import { mountSourceAccess, requiredAccess } from './access.js';
import { apiVersionHeader, type MethodTable, type V2Context } from './handler.js';
import { matchRoute, type RouteId } from './route-table.js';

export type RouteTables = Record<RouteId, MethodTable>;

export function v2Dispatcher(tables: RouteTables, auth: AccessController) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    res.set(apiVersionHeader);
    const path = req.baseUrl + req.path;
    const route = matchRoute(path);
    if (!route) throw new RegistryError('NOT_FOUND', { detail: { path } });
    res.locals.metricsRoute = `v2:${route.id}`;
    const name = route.name ?? '';
    if (route.name !== undefined && !isRepositoryName(name)) {
      throw new RegistryError('NAME_INVALID', { message: `invalid repository name ${JSON.stringify(name)}`, detail: { name } });
    }
    const handler = tables[route.id][req.method as keyof MethodTable];
    if (!handler) throw new RegistryError('UNSUPPORTED', { message: `${req.method} is not supported on this endpoint` });
    const grant = await auth.authorize(req, requiredAccess(route, req.method));
    res.locals.user = grant.user;
    const mountSource = mountSourceAccess(route, req.method, req.query as Record<string, unknown>);
    const mayMount = mountSource !== undefined && (await auth.authorize(req, [mountSource]).then(() => true, () => false));
    const ctx: V2Context = { id: route.id, name, param: route.param ?? '', grant, mayMount };
    await handler(req, res, ctx);
    if (!res.headersSent) next();
  };
}
