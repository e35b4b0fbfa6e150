// Deleting what the index no longer needs, a batch at a time: better-sqlite3 is synchronous, so
// one DELETE over millions of audit rows would hold every request for seconds; the caller yields
// to the event loop between batches.
import type { Db } from './open.js';
import { prepared } from './open.js';

/** What can be pruned, and the column each is aged by (ISO timestamps compare as text). */
const prunable = {
  /** Audit entries recorded before the cutoff. */
  auditLog: "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < ? ORDER BY id LIMIT ?)",
  /** Finished deliveries (a pending one is still being retried). */
  webhookDeliveries:
    "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries WHERE status <> 'pending' AND created_at < ? ORDER BY id LIMIT ?)",
  /** Ids of registry events received before the cutoff (kept to drop re-sent duplicates). */
  eventIds: 'DELETE FROM events_seen WHERE rowid IN (SELECT rowid FROM events_seen WHERE received_at < ? LIMIT ?)',
  /** UI sessions past their expiry. */
  sessions: 'DELETE FROM ui_sessions WHERE rowid IN (SELECT rowid FROM ui_sessions WHERE expires_at <= ? LIMIT ?)',
  /** Refresh tokens past their expiry (revoked or not: either way they open nothing). */
  refreshTokens: 'DELETE FROM refresh_tokens WHERE id IN (SELECT id FROM refresh_tokens WHERE expires_at <= ? LIMIT ?)',
  /** v1 X-Docker-Tokens past their expiry. */
  v1Tokens: 'DELETE FROM v1_tokens WHERE rowid IN (SELECT rowid FROM v1_tokens WHERE expires_at <= ? LIMIT ?)',
} as const;

export type Prunable = keyof typeof prunable;
export const prunableKinds = Object.keys(prunable) as Prunable[];

/** Deletes at most `limit` rows of `kind` older than `cutoff` (an ISO time); how many it deleted. */
export function pruneBatch(db: Db, kind: Prunable, cutoff: string, limit: number): number {
  return prepared(db, prunable[kind]).run(cutoff, limit).changes;
}
