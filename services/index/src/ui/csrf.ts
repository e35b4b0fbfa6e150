// CSRF protection for every state-changing form. A signed-in browser submits its session's
// synchronizer token; a signed-out one (log in, sign up) submits the value of a pre-session
// cookie (double submit), so nobody can log a victim into the attacker's account either. A
// cross-origin Origin header is refused before any token is looked at.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { IndexError } from '../http/errors.js';
import { cookieValue, csrfMatches, overTls, type Session } from './session.js';

const preSessionCookie = 'wharf_csrf';
export const csrfField = '_csrf';

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The token the page's forms carry: the session's, or a pre-session cookie's (set if missing;
 * Secure whenever the session cookie would be). */
export function csrfToken(req: Request, res: Response, session: Session | undefined, publicUrl?: string): string {
  if (session) return session.record.csrfToken;
  const existing = cookieValue(req, preSessionCookie);
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const token = randomBytes(32).toString('base64url');
  res.cookie(preSessionCookie, token, { httpOnly: true, sameSite: 'strict', secure: overTls(req, publicUrl), path: '/' });
  return token;
}

function hostOf(url: string | undefined): string | undefined {
  try {
    return url === undefined ? undefined : new URL(url).host;
  } catch {
    return undefined;
  }
}

/**
 * Throws DENIED unless a POST carries the right token and, if it says, comes from this origin:
 * the Host it was sent to, or the configured public URL's (a proxy may rewrite Host).
 */
export function checkCsrf(req: Request, session: Session | undefined, publicUrl?: string): void {
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    const host = hostOf(origin);
    if (host === undefined || (host !== req.headers.host && host !== hostOf(publicUrl))) throw new IndexError('DENIED', { message: 'the form was sent from another site' });
  }
  const submitted = (req.body as Record<string, unknown> | undefined)?.[csrfField];
  const ok = session ? csrfMatches(session, submitted) : typeof submitted === 'string' && sameString(submitted, cookieValue(req, preSessionCookie) ?? '');
  if (!ok) throw new IndexError('DENIED', { message: 'the form has expired or was not sent from this site; reload the page and try again' });
}
