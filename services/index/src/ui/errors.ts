// The UI's error page: the status and message come from the same catalogue and renderer as the
// JSON API's (renderError), shown as HTML; unknown errors are logged and reveal nothing.
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { ApiError, renderError } from '@wharf/shared';
import { contextOf } from './context.js';
import { errorPage } from './views/account.js';
import { sendPage } from './respond.js';

export function uiErrorRenderer(fallback: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (!(err instanceof ApiError)) ((res.locals.log as Logger | undefined) ?? fallback).error({ err, method: req.method, path: req.path }, 'UI request failed');
    if (res.headersSent) return void res.destroy();
    const rendered = renderError(err);
    res.set(rendered.headers);
    // Basic challenges belong to the API; a browser would pop up a password dialog.
    res.removeHeader('WWW-Authenticate');
    sendPage(res, errorPage(contextOf(res), rendered.status, rendered.body.errors[0]?.message ?? 'error'), rendered.status);
  };
}
