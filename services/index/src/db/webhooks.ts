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

  insertDelivery(webhookId: number, payload: string): Delivery {
    const now = nowIso();
    const info = prepared(this.db, "INSERT INTO webhook_deliveries (webhook_id, payload, status, created_at, next_attempt_at) VALUES (?, ?, 'pending', ?, ?)")
      .run(webhookId, payload, now, now);
    return this.delivery(Number(info.lastInsertRowid))!;
  }

  delivery(id: number): Delivery | undefined {
    const r = prepared(this.db, 'SELECT * FROM webhook_deliveries WHERE id = ?').get(id) as DeliveryRow | undefined;
    return r && toDelivery(r);
  }

  deliveries(webhookId: number, limit = 50): Delivery[] {
    return (prepared(this.db, 'SELECT * FROM webhook_deliveries WHERE webhook_id = ? ORDER BY id DESC LIMIT ?').all(webhookId, limit) as DeliveryRow[]).map(toDelivery);
  }

  due(now: string, limit = 20): Delivery[] {
    return (prepared(this.db, "SELECT * FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?")
      .all(now, limit) as DeliveryRow[]).map(toDelivery);
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
