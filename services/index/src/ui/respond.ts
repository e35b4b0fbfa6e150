// How UI handlers answer: a page, or (after a form) a redirect that carries a one-shot notice.
// A refused form action (bad input, a rule of the shared logic) goes back to its page with the
// logic's own message; anything else reaches the error page.
import type { Request, Response } from 'express';
import { ApiError } from '@wharf/shared';
import type { Html } from './html.js';
import { contextOf } from './context.js';
import type { Sessions } from './session.js';

/** A submitted form field as a string ('' when absent or repeated). Passwords keep their spaces;
 * names and the like are trimmed by the caller's choice of `trim`. */
export function formField(req: Request, name: string, trim = false): string {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  if (typeof value !== 'string') return '';
  return trim ? value.trim() : value;
}

export function sendPage(res: Response, page: Html, status = 200): void {
  res.status(status).type('html').send(page.value);
}

/** A local path to return to after logging in; anything else (another site, "//x") is "/". */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) && !/[\r\n]/.test(next) ? next : '/';
}

export type FormHandler = (req: Request, res: Response) => Promise<string | void> | string | void;

/**
 * A form action for signed-in users: runs `fn`; on success redirects (303) to `back(req)` with
 * the returned message as a notice; when the logic refuses with a 4xx, back with its message.
 */
export function formAction(sessions: Sessions, back: (req: Request) => string, fn: FormHandler) {
  return async (req: Request, res: Response): Promise<void> => {
    const { session } = contextOf(res);
    let target = back(req);
    try {
      const result = await fn(req, res);
      if (session && result) sessions.notify(session, JSON.stringify({ kind: 'ok', text: result }));
      if (typeof res.locals.redirect === 'string') target = res.locals.redirect;
    } catch (err) {
      if (!(err instanceof ApiError) || err.status >= 500 || !session || err.status === 401) throw err;
      sessions.notify(session, JSON.stringify({ kind: 'error', text: err.message }));
    }
    res.redirect(303, target);
  };
}
