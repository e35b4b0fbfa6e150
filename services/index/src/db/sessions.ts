// Browser sessions of the web UI, keyed by the SHA-256 of the cookie's random id.
import type { Db } from './open.js';
import { nowIso, prepared } from './open.js';

export interface SessionRecord {
  idHash: string;
  userId: number;
  csrfToken: string;
  notice: string | null;
  createdAt: string;
  expiresAt: string;
}

interface SessionRow {
  id_hash: string;
  user_id: number;
  csrf_token: string;
  notice: string | null;
  created_at: string;
  expires_at: string;
}

const toSession = (r: SessionRow): SessionRecord => ({
  idHash: r.id_hash,
  userId: r.user_id,
  csrfToken: r.csrf_token,
  notice: r.notice,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
});

export class SessionTable {
  constructor(private readonly db: Db) {}

  insert(idHash: string, userId: number, csrfToken: string, expiresAt: string): void {
    prepared(this.db, 'INSERT INTO ui_sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)').run(idHash, userId, csrfToken, nowIso(), expiresAt);
  }

  /** The session if it has not expired. */
  byHash(idHash: string, now = nowIso()): SessionRecord | undefined {
    const row = prepared(this.db, 'SELECT * FROM ui_sessions WHERE id_hash = ? AND expires_at > ?').get(idHash, now) as SessionRow | undefined;
    return row && toSession(row);
  }

  setNotice(idHash: string, notice: string | null): void {
    prepared(this.db, 'UPDATE ui_sessions SET notice = ? WHERE id_hash = ?').run(notice, idHash);
  }

  delete(idHash: string): void {
    prepared(this.db, 'DELETE FROM ui_sessions WHERE id_hash = ?').run(idHash);
  }

  /** Ends every session of a user (password change, account disabled). */
  deleteForUser(userId: number, exceptHash = ''): void {
    prepared(this.db, 'DELETE FROM ui_sessions WHERE user_id = ? AND id_hash <> ?').run(userId, exceptHash);
  }

  deleteExpired(now = nowIso()): number {
    return prepared(this.db, 'DELETE FROM ui_sessions WHERE expires_at <= ?').run(now).changes;
  }
}
