// The audit log: logins, token grants and denials, pushes, deletes, permission changes.
import type { Db } from './open.js';
import { nowIso, prepared } from './open.js';

export interface AuditEntry {
  id: number;
  at: string;
  actor: string | null;
  action: string;
  target: string | null;
  outcome: 'ok' | 'denied' | 'failed';
  detail: Record<string, unknown>;
  remote: string | null;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
  limit?: number;
  beforeId?: number;
}

export type AuditRecord = Omit<AuditEntry, 'id' | 'at' | 'detail' | 'remote' | 'actor' | 'target' | 'outcome'> & Partial<AuditEntry>;

export class AuditTable {
  private readonly insertStmt;
  private readonly observers: ((entry: AuditRecord) => void)[] = [];
  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare('INSERT INTO audit_log (at, actor, action, target, outcome, detail, remote) VALUES (?, ?, ?, ?, ?, ?, ?)');
  }

  /** Calls `observer` with every entry recorded from now on (metrics count logins this way). */
  observe(observer: (entry: AuditRecord) => void): void {
    this.observers.push(observer);
  }

  record(entry: AuditRecord): void {
    this.insertStmt.run(
      nowIso(),
      entry.actor ?? null,
      entry.action,
      entry.target ?? null,
      entry.outcome ?? 'ok',
      JSON.stringify(entry.detail ?? {}),
      entry.remote ?? null,
    );
    for (const observer of this.observers) observer(entry);
  }

  query(filter: AuditFilter = {}): AuditEntry[] {
    const where: string[] = [];
    const args: unknown[] = [];
    for (const key of ['actor', 'action', 'target'] as const) {
      if (filter[key] !== undefined) {
        where.push(`${key} = ?`);
        args.push(filter[key]);
      }
    }
    if (filter.beforeId !== undefined) {
      where.push('id < ?');
      args.push(filter.beforeId);
    }
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    // Clamped below too: SQLite reads a negative LIMIT as no limit at all.
    const rows = prepared(this.db, sql).all(...args, Math.max(1, Math.min(filter.limit ?? 100, 1000))) as (Omit<AuditEntry, 'detail'> & { detail: string })[];
    return rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  }
}
