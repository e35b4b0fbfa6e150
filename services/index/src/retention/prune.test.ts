import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { indexConfigSchema } from '../config/schema.js';
import { openIndexStore, type IndexStore } from '../db/store.js';
import { pruneIndex, scheduleRetention, type RetentionPolicy } from './prune.js';

const now = new Date('2026-06-01T12:00:00.000Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();
const policy = (overrides: Partial<RetentionPolicy> = {}): RetentionPolicy => ({ ...indexConfigSchema.parse({}).retention, ...overrides });
const count = (store: IndexStore, table: string, where = '1'): number =>
  (store.db.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${where}`).get() as { n: number }).n;

/** One account, repository and webhook, then rows of every prunable kind, old and recent. */
function seeded(): IndexStore {
  const store = openIndexStore(':memory:');
  const user = store.users.insert('alice', 'alice@example.com', 'x', false);
  const namespace = store.namespaces.insert('alice', 'user', user.id);
  const repository = store.repositories.insert(namespace.id, 'app', 'public');
  const webhook = store.webhooks.insert(repository.id, 'http://hooks.example.com/');
  const insert = (sql: string, ...args: unknown[]) => store.db.prepare(sql).run(...args);
  for (const [days, action] of [[400, 'old'], [366, 'old'], [364, 'recent'], [1, 'recent']] as const) {
    insert("INSERT INTO audit_log (at, action, outcome, detail) VALUES (?, ?, 'ok', '{}')", daysAgo(days), action);
  }
  for (const [days, status] of [[40, 'delivered'], [40, 'failed'], [40, 'pending'], [10, 'delivered']] as const) {
    insert('INSERT INTO webhook_deliveries (webhook_id, payload, status, created_at) VALUES (?, ?, ?, ?)', webhook.id, `${status}-${days}`, status, daysAgo(days));
  }
  for (const [days, id] of [[31, 'old-event'], [29, 'recent-event']] as const) insert('INSERT INTO events_seen (event_id, received_at) VALUES (?, ?)', id, daysAgo(days));
  for (const [expires, id] of [[daysAgo(1), 'expired'], [daysAgo(-1), 'live']] as const) {
    insert('INSERT INTO ui_sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)', id, user.id, 'csrf', daysAgo(2), expires);
    insert('INSERT INTO refresh_tokens (user_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?)', user.id, id, daysAgo(2), expires);
    insert("INSERT INTO v1_tokens (signature_hash, repository_id, user_id, access, created_at, expires_at) VALUES (?, ?, ?, 'read', ?, ?)", id, repository.id, user.id, daysAgo(2), expires);
  }
  return store;
}

describe('index retention', () => {
  it('deletes what is past its age or expiry, and nothing else', async () => {
    const store = seeded();
    const pruned = await pruneIndex(store.db, policy(), now);
    assert.deepEqual(pruned, { auditLog: 2, webhookDeliveries: 2, eventIds: 1, sessions: 1, refreshTokens: 1, v1Tokens: 1 });
    assert.equal(count(store, 'audit_log'), 2);
    assert.equal(count(store, 'audit_log', "action = 'old'"), 0);
    // A pending delivery is still being retried: it stays, however old.
    assert.deepEqual(
      (store.db.prepare('SELECT payload FROM webhook_deliveries ORDER BY id').all() as { payload: string }[]).map((r) => r.payload),
      ['pending-40', 'delivered-10'],
    );
    assert.equal(count(store, 'events_seen', "event_id = 'recent-event'"), 1);
    for (const table of ['ui_sessions', 'v1_tokens']) assert.equal(count(store, table), 1, table);
    assert.equal(count(store, 'refresh_tokens', "token_hash = 'live'"), 1);
    // Accounts, repositories and webhooks are never touched.
    assert.equal(count(store, 'users'), 1);
    assert.equal(count(store, 'webhooks'), 1);
    // A second run finds nothing more.
    assert.deepEqual(Object.values(await pruneIndex(store.db, policy(), now)), [0, 0, 0, 0, 0, 0]);
    store.close();
  });

  it('keeps audit entries, deliveries and event ids forever with "0d"', async () => {
    const store = seeded();
    const pruned = await pruneIndex(store.db, policy({ auditLog: '0d', webhookDeliveries: '0d', eventIds: '0s' }), now);
    assert.equal(pruned.auditLog + pruned.webhookDeliveries + pruned.eventIds, 0);
    assert.equal(count(store, 'audit_log'), 4);
    assert.equal(count(store, 'webhook_deliveries'), 4);
    assert.equal(count(store, 'events_seen'), 2);
    // Expired sessions and tokens go regardless: they open nothing.
    assert.equal(pruned.sessions + pruned.refreshTokens + pruned.v1Tokens, 3);
    store.close();
  });

  it('deletes a large backlog in batches, letting other work run in between', async () => {
    const store = openIndexStore(':memory:');
    const insert = store.db.prepare("INSERT INTO audit_log (at, action, outcome, detail) VALUES (?, 'token', 'ok', '{}')");
    store.transaction(() => {
      for (let i = 0; i < 7_000; i++) insert.run(daysAgo(500));
    });
    let seenMidway: number | undefined;
    setImmediate(() => (seenMidway = count(store, 'audit_log')));
    const pruned = await pruneIndex(store.db, policy(), now);
    assert.equal(pruned.auditLog, 7_000);
    assert.equal(count(store, 'audit_log'), 0);
    assert.ok(seenMidway !== undefined && seenMidway > 0 && seenMidway < 7_000, `other work ran midway (saw ${seenMidway} rows)`);
    store.close();
  });

  it('runs when scheduled and stops cleanly', async () => {
    const store = seeded();
    const schedule = scheduleRetention(store.db, policy(), pino({ level: 'silent' }));
    await schedule.stop();
    // The first run starts at once; stop waits for it. Rows aged by the real clock: the 400- and
    // 366-day-old entries of the seed are relative to `now` above, long before today.
    assert.equal(count(store, 'audit_log', "action = 'old'"), 0);
    assert.equal(count(store, 'ui_sessions', "id_hash = 'expired'"), 0);
    store.close();
  });

  it('the schedule must be at least a second apart', () => {
    assert.throws(() => indexConfigSchema.parse({ retention: { interval: '0s' } }), /at least 1s/);
    assert.throws(() => indexConfigSchema.parse({ retention: { auditLog: '1 year' } }));
    assert.equal(indexConfigSchema.parse({ retention: { interval: '1s' } }).retention.interval, '1s');
  });
});
