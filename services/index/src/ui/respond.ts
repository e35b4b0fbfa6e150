// How UI handlers answer: a page, or (after a form) a redirect that carries a one-shot notice.
// A refused form action (bad input, a rule of the shared logic) goes back to its page with the
// logic's own message; anything else reaches the error page.
import type { Request, Response } from 'express';
import { ApiError } from '@wharf/shared';
import type { Html } from './html.js';
import { contextOf, type KeptForm } from './context.js';
import { csrfField } from './csrf.js';
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

/** Fields a refused form may show again: never a password, a confirmation or the CSRF token. */
const unkept = /password|confirm|secret/i;
/** The session row holds the notice: input larger than this is not kept. */
const maxKeptBytes = 16 * 1024;

/** What was typed into the form, to fill it in again after a refusal; undefined if too large. */
export function keptForm(req: Request): KeptForm | undefined {
  const body = req.body as Record<string, unknown> | undefined;
  const fields: Record<string, string> = {};
  let bytes = 0;
  for (const [name, value] of Object.entries(body ?? {})) {
    if (typeof value !== 'string' || name === csrfField || unkept.test(name)) continue;
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
    if (bytes > maxKeptBytes) return undefined;
    fields[name] = value;
  }
  // The full path (a nested router's req.path is relative to where it is mounted).
  const action = new URL(req.originalUrl, 'http://ui.invalid').pathname;
  return Object.keys(fields).length ? { action, fields } : undefined;
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
      const form = keptForm(req);
      sessions.notify(session, JSON.stringify({ kind: 'error', text: err.message, ...(form ? { form } : {}) }));
    }
    res.redirect(303, target);
  };
}
