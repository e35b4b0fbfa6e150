// Browser sessions: a random 32-byte id in an HttpOnly, SameSite=Lax cookie (Secure over TLS);
// the database keeps only its SHA-256, with the user, an expiry, a CSRF token bound to the
// session (synchronizer token) and a one-shot notice for the next page. Logging out deletes the
// row, so a copied cookie is worthless afterwards.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { IndexStore } from '../db/store.js';
import type { SessionRecord } from '../db/sessions.js';
import type { User } from '../db/users.js';
import { sessionSealingKey } from './sealed.js';

export const sessionCookie = 'wharf_session';

export interface Session {
  record: SessionRecord;
  user: User;
  /** Opens what was sealed for this browser (sealed.ts); derived from the cookie, never stored. */
  sealingKey: Buffer;
}

const hashOf = (id: string) => createHash('sha256').update(id).digest('hex');

export function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Whether the browser reached us over TLS (directly, or through a trusted proxy). */
export function overTls(req: Request, publicUrl: string | undefined): boolean {
  return req.secure || (publicUrl?.startsWith('https:') ?? false);
}

export class Sessions {
  constructor(
    private readonly store: IndexStore,
    private readonly ttlMs: number,
    private readonly publicUrl: string | undefined,
  ) {}

  /** The live session the request's cookie names, with its (enabled) user. */
  find(req: Request): Session | undefined {
    const id = cookieValue(req, sessionCookie);
    if (!id || !/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
    const record = this.store.sessions.byHash(hashOf(id));
    const user = record && this.store.users.byId(record.userId);
    if (!record || !user || user.disabled) return undefined;
    return { record, user, sealingKey: sessionSealingKey(id) };
  }

  /** Starts a session for the user and sets its cookie; a session it replaces ends first. */
  start(req: Request, res: Response, user: User, replacing?: Session): void {
    if (replacing) this.store.sessions.delete(replacing.record.idHash);
    const id = randomBytes(32).toString('base64url');
    const expires = new Date(Date.now() + this.ttlMs);
    this.store.sessions.deleteExpired();
    this.store.sessions.insert(hashOf(id), user.id, randomBytes(32).toString('base64url'), expires.toISOString());
    res.cookie(sessionCookie, id, { httpOnly: true, sameSite: 'lax', secure: overTls(req, this.publicUrl), path: '/', expires });
  }

  /** Ends the session on the server and clears the cookie. */
  end(req: Request, res: Response, session: Session | undefined): void {
    if (session) this.store.sessions.delete(session.record.idHash);
    res.clearCookie(sessionCookie, { httpOnly: true, sameSite: 'lax', secure: overTls(req, this.publicUrl), path: '/' });
  }

  /** A message the next page shows once ("Token revoked."). */
  notify(session: Session, notice: string): void {
    this.store.sessions.setNotice(session.record.idHash, notice.slice(0, 500));
  }

  /** The pending notice, cleared as it is read. */
  takeNotice(session: Session): string | undefined {
    const notice = session.record.notice;
    if (notice) this.store.sessions.setNotice(session.record.idHash, null);
    return notice ?? undefined;
  }
}

/** Whether a submitted CSRF token is the session's, compared in constant time. */
export function csrfMatches(session: Session, submitted: unknown): boolean {
  if (typeof submitted !== 'string') return false;
  const expected = Buffer.from(session.record.csrfToken);
  const given = Buffer.from(submitted);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
