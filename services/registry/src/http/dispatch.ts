// The one path every v2 request takes (as Distribution's dispatcher): match the route, validate
// the repository name against the grammar before anything touches storage, authorize what the
// route needs, then call the handler for the method. A method the route lacks is UNSUPPORTED.
import type { NextFunction, Request, Response } from 'express';
import { isRepositoryName, RegistryError, type AccessRecord } from '@wharf/shared';
import type { AccessController } from '../auth/controller.js';
import { mountSourceAccess, requiredAccess } from './access.js';
import { apiVersionHeader, type MethodTable, type V2Context } from './handler.js';
import { matchRoute, type RouteId } from './route-table.js';

export type RouteTables = Record<RouteId, MethodTable>;

/** Actions no caller can be granted on a name whose storage refuses writes. */
const writeActions = new Set(['push', 'delete', '*']);

export interface DispatchOptions {
  /** Why a write to this name can never succeed here (RegistryStorage.writeRefusal). */
  writeRefusal?: ((name: string) => Promise<Error | undefined>) | undefined;
  /** storage.readOnly: every write is refused, once the caller is authorized. */
  readOnly?: boolean;
}

export function v2Dispatcher(tables: RouteTables, auth: AccessController, { writeRefusal, readOnly = false }: DispatchOptions = {}) {
  /**
   * A caller who presented credentials and was refused a write the storage could never perform
   * (a push to a pull-through cache's proxied name: the token server grants only pull there)
   * learns why, rather than "insufficient scope". Callers without credentials get the challenge
   * as usual, so they can authenticate first.
   */
  const explainRefusal = async (req: Request, access: AccessRecord[], err: unknown): Promise<never> => {
    const write = access.find((a) => a.type === 'repository' && a.actions.some((action) => writeActions.has(action)));
    const refusal = write && writeRefusal && req.headers.authorization ? await writeRefusal(write.name) : undefined;
    throw refusal ?? err;
  };

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
    const access = requiredAccess(route, req.method);
    const grant = await auth.authorize(req, access).catch((err: unknown) => explainRefusal(req, access, err));
    res.locals.user = grant.user;
    if (readOnly && access.some((a) => a.type === 'repository' && a.actions.some((action) => writeActions.has(action)))) {
      throw new RegistryError('UNSUPPORTED', { message: 'the registry is in read-only mode', detail: { readOnly: true } });
    }
    const mountSource = mountSourceAccess(route, req.method, req.query as Record<string, unknown>);
    const mayMount = mountSource !== undefined && (await auth.authorize(req, [mountSource]).then(() => true, () => false));
    const ctx: V2Context = { id: route.id, name, param: route.param ?? '', grant, mayMount };
    await handler(req, res, ctx);
    if (!res.headersSent) next();
  };
}
