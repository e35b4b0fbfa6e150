// Renders anything thrown as the v2 error envelope with the catalogue's status. Unknown errors are
// logged with the request id and reveal nothing of their internals to the client.
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { renderError, RegistryError } from '@wharf/shared';

export function errorRenderer(fallback: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const log = (res.locals.log as Logger | undefined) ?? fallback;
    if (!(err instanceof RegistryError)) log.error({ err, method: req.method, path: req.path }, 'request failed');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const rendered = renderError(err);
    const body = Buffer.from(JSON.stringify(rendered.body));
    res.status(rendered.status).set(rendered.headers).set({ 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
