// Renders anything thrown with the catalogue's status: the v2 envelope by default, or another
// body shape (the legacy v1 routes pass renderV1Error). Unknown errors are logged with the
// request id and reveal nothing of their internals to the client. A client that went away
// mid-response is not a server error: it is logged at debug level only.
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { ApiError, renderError } from '@wharf/shared';

type Render = (err: unknown) => { status: number; headers: Record<string, string>; body: unknown };

function clientWentAway(err: unknown, req: Request): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || req.destroyed;
}

export function errorRenderer(fallback: Logger, render: Render = renderError) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const log = (res.locals.log as Logger | undefined) ?? fallback;
    if (clientWentAway(err, req)) log.debug({ method: req.method, path: req.path }, 'client closed the connection');
    else if (!(err instanceof ApiError)) log.error({ err, method: req.method, path: req.path }, 'request failed');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const rendered = render(err);
    const body = Buffer.from(JSON.stringify(rendered.body));
    res.status(rendered.status).set(rendered.headers).set({ 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
