// v1 repositories on the index: PUT and DELETE /v1/repositories/<r>/, GET and PUT …/images,
// PUT …/auth. Names nest in the URL, so one wildcard route splits them (v1/paths.ts) and a
// table picks the handler; a known resource asked with another method is 405. Logic lives in
// v1/repositories.ts; handlers only read the request and write headers.
import express, { type Request, type Response, type Router } from 'express';
import { IndexError } from '../../errors.js';
import { identifyCaller, requirePassword, type V1Caller } from '../../../v1/callers.js';
import { parseV1RepositoryPath } from '../../../v1/paths.js';
import { authorizeDelete, deleteV1Repository, listImages, recordImages, startPush, type V1Context } from '../../../v1/repositories.js';
import type { V1Dependencies } from './router.js';

/** `X-Docker-Token: true`: the client asks for a token (spec: tokens only go to those who ask). */
export function wantsToken(req: Request): boolean {
  return req.get('X-Docker-Token')?.trim().toLowerCase() === 'true';
}

type Handler = (req: Request, res: Response, ctx: V1Context, caller: V1Caller, repository: string) => void | Promise<void>;

export function v1RepositoryRoutes({ config, store }: V1Dependencies): Router {
  const router = express.Router();
  // Comma-separated host[:port] list; Docker and the npm client both trim around the commas.
  const endpoints = config.v1.endpoints.join(', ');
  const withToken = (res: Response, token: string | undefined) => {
    if (token !== undefined) res.set('X-Docker-Token', token);
    return res.set('X-Docker-Endpoints', endpoints);
  };

  const handlers: Record<string, Handler> = {
    'PUT repository': (req, res, ctx, caller, name) => {
      // Docker 1.5 gives up on a push when this answer carries no token, asked for or not.
      withToken(res, startPush(ctx, requirePassword(caller), name, req.body)).status(200).json('');
    },
    'DELETE repository': (_req, res, ctx, caller, name) => {
      const outcome = deleteV1Repository(ctx, caller, name);
      if (outcome.stage === 'accepted') withToken(res, outcome.token).status(202).json('');
      else res.status(200).json('');
    },
    'GET images': (req, res, ctx, caller, name) => {
      const { images, token } = listImages(ctx, caller, name, wantsToken(req));
      withToken(res, token).json(images);
    },
    'PUT images': (req, res, ctx, caller, name) => {
      recordImages(ctx, caller, name, req.body);
      res.status(204).end();
    },
    'PUT auth': (_req, res, ctx, caller, name) => {
      authorizeDelete(ctx, caller, name);
      res.json('OK');
    },
  };

  router.all('/v1/repositories/*path', async (req, res) => {
    const path = parseV1RepositoryPath(req.params.path as unknown as string[]);
    const handler = handlers[`${req.method === 'HEAD' ? 'GET' : req.method} ${path.resource}`];
    if (!handler) throw new IndexError('UNSUPPORTED', { message: `${req.method} is not supported on a v1 ${path.resource} resource` });
    const remote = req.ip ?? null;
    const caller = await identifyCaller(store, req.headers.authorization, remote);
    await handler(req, res, { store, config, remote }, caller, path.repository);
  });

  return router;
}
