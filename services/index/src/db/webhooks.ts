// Repository webhooks and the history of their deliveries; events already received from the
// registry (so a retried notification is recorded once).
import type { Db } from './open.js';
import { nowIso, prepared } from './open.js';

export interface Webhook {
  id: number;
  repositoryId: number;
  url: string;
  createdAt: string;
  active: boolean;
}

export interface Delivery {
  id: number;
  webhookId: number;
  payload: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  responseStatus: number | null;
  error: string | null;
  createdAt: string;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
}

interface DeliveryRow {
  id: number;
  webhook_id: number;
  payload: string;
  status: Delivery['status'];
  attempts: number;
  response_status: number | null;
  error: string | null;
  created_at: string;
  next_attempt_at: string | null;
  delivered_at: string | null;
}

/** A webhook with deliveries due, and the namespace its repository is in. */
export interface DueWebhook {
  id: number;
  url: string;
  namespaceId: number;
}

const toDelivery = (r: DeliveryRow): Delivery => ({
  id: r.id,
  webhookId: r.webhook_id,
  payload: r.payload,
  status: r.status,
  attempts: r.attempts,
  responseStatus: r.response_status,
  error: r.error,
  createdAt: r.created_at,
  nextAttemptAt: r.next_attempt_at,
  deliveredAt: r.delivered_at,
});

export class WebhookTable {
  constructor(private readonly db: Db) {}

  insert(repositoryId: number, url: string): Webhook {
    const info = prepared(this.db, 'INSERT INTO webhooks (repository_id, url, created_at) VALUES (?, ?, ?)').run(repositoryId, url, nowIso());
    return this.byId(Number(info.lastInsertRowid))!;
  }

  byId(id: number): Webhook | undefined {
    const r = prepared(this.db, 'SELECT * FROM webhooks WHERE id = ?').get(id) as
      | { id: number; repository_id: number; url: string; created_at: string; active: number }
      | undefined;
    return r && { id: r.id, repositoryId: r.repository_id, url: r.url, createdAt: r.created_at, active: r.active === 1 };
  }

  forRepository(repositoryId: number): Webhook[] {
    return (prepared(this.db, 'SELECT id FROM webhooks WHERE repository_id = ? ORDER BY id').all(repositoryId) as { id: number }[]).map(
      (r) => this.byId(r.id)!,
    );
  }

  delete(id: number): void {
    prepared(this.db, 'DELETE FROM webhooks WHERE id = ?').run(id);
  }

  /** Queues a delivery; one `refused` by the queue's budget is recorded as failed instead. */
  insertDelivery(webhookId: number, payload: string, refused?: string): Delivery {
    const now = nowIso();
    const info = prepared(this.db, 'INSERT INTO webhook_deliveries (webhook_id, payload, status, error, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(webhookId, payload, refused ? 'failed' : 'pending', refused ?? null, now, refused ? null : now);
    return this.delivery(Number(info.lastInsertRowid))!;
  }

  /** Pending deliveries in all, and of the namespace the webhook's repository is in. */
  pendingCounts(webhookId: number): { total: number; namespace: number } {
    const total = prepared(this.db, "SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'pending'").get() as { n: number };
    const namespace = prepared(
      this.db,
      `SELECT count(*) AS n FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id JOIN repositories r ON r.id = w.repository_id
       WHERE d.status = 'pending' AND r.namespace_id = (SELECT r2.namespace_id FROM webhooks w2 JOIN repositories r2 ON r2.id = w2.repository_id WHERE w2.id = ?)`,
    ).get(webhookId) as { n: number };
    return { total: total.n, namespace: namespace.n };
  }

  delivery(id: number): Delivery | undefined {
    const r = prepared(this.db, 'SELECT * FROM webhook_deliveries WHERE id = ?').get(id) as DeliveryRow | undefined;
    return r && toDelivery(r);
  }

  deliveries(webhookId: number, limit = 50): Delivery[] {
    return (prepared(this.db, 'SELECT * FROM webhook_deliveries WHERE webhook_id = ? ORDER BY id DESC LIMIT ?').all(webhookId, limit) as DeliveryRow[]).map(toDelivery);
  }

  /**
   * Webhooks with deliveries due, oldest first, at most `perNamespace` of each namespace: the
   * delivery scheduler's candidates, bounded so one namespace's backlog cannot crowd out others.
   */
  dueWebhooks(now: string, perNamespace: number): DueWebhook[] {
    const sql = `
      WITH due AS (
        SELECT webhook_id, MIN(next_attempt_at) AS oldest FROM webhook_deliveries
        WHERE status = 'pending' AND next_attempt_at <= ? GROUP BY webhook_id
      ), ranked AS (
        SELECT w.id, w.url, r.namespace_id, due.oldest,
          ROW_NUMBER() OVER (PARTITION BY r.namespace_id ORDER BY due.oldest, w.id) AS rank
        FROM due JOIN webhooks w ON w.id = due.webhook_id JOIN repositories r ON r.id = w.repository_id
      )
      SELECT id, url, namespace_id FROM ranked WHERE rank <= ? ORDER BY oldest, id`;
    return (prepared(this.db, sql).all(now, perNamespace) as { id: number; url: string; namespace_id: number }[]).map((r) => ({
      id: r.id,
      url: r.url,
      namespaceId: r.namespace_id,
    }));
  }

  /** A webhook's delivery that is due soonest (and due by `now`), other than those in `skip`. */
  nextDue(webhookId: number, now: string, skip: Iterable<number>): Delivery | undefined {
    const sql = `SELECT * FROM webhook_deliveries WHERE webhook_id = ? AND status = 'pending' AND next_attempt_at <= ?
      AND id NOT IN (SELECT value FROM json_each(?)) ORDER BY next_attempt_at, id LIMIT 1`;
    const r = prepared(this.db, sql).get(webhookId, now, JSON.stringify([...skip])) as DeliveryRow | undefined;
    return r && toDelivery(r);
  }

  recordAttempt(id: number, outcome: { status: Delivery['status']; responseStatus: number | null; error: string | null; nextAttemptAt: string | null }): void {
    prepared(this.db, 
        'UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, response_status = ?, error = ?, next_attempt_at = ?, delivered_at = CASE WHEN ? = \'delivered\' THEN ? ELSE delivered_at END WHERE id = ?',
      )
      .run(outcome.status, outcome.responseStatus, outcome.error, outcome.nextAttemptAt, outcome.status, nowIso(), id);
  }

  /** Queues a delivery again (the "redeliver" button). */
  requeue(id: number): void {
    prepared(this.db, "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ? WHERE id = ?").run(nowIso(), id);
  }

  /** Marks a registry event as received; false if it had been received before. */
  markEventSeen(eventId: string): boolean {
    return prepared(this.db, 'INSERT OR IGNORE INTO events_seen (event_id, received_at) VALUES (?, ?)').run(eventId, nowIso()).changes > 0;
  }
}
