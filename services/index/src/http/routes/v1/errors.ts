// The one renderer of errors on v1 routes. v1 clients know no error envelope: Docker prints the
// body as it comes, and the registry half of the protocol answers {"error": "…"}, so the index
// does too. The status and headers come from the error's code in the index catalogue
// (http/errors.ts), exactly as the JSON API's renderer takes them; only the body differs.
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { ApiError } from '@wharf/shared';

export function renderV1Errors(fallback: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const log = (res.locals.log as Logger | undefined) ?? fallback;
    const known = err instanceof ApiError;
    if (!known) log.error({ err, method: req.method, path: req.path }, 'request failed');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // Unknown errors reveal nothing of their internals.
    res.status(known ? err.status : 500).set(known ? err.headers : {});
    res.json({ error: known ? err.message : 'internal error' });
  };
}
