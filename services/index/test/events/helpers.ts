// Helpers for the events and webhooks tests: an index with an events secret, envelopes shaped as
// the registry sends them, and a webhook target on 127.0.0.1:0 that records what it is sent.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { mediaTypes, type Event, type EventTarget } from '@wharf/shared';
import type { Index, IndexConfigInput } from '../../src/index.js';
import { buildIndex } from '../api/harness.js';

export const secret = 'registry-shared-secret-0123456789';

export async function indexWithEvents(overrides: IndexConfigInput = {}): Promise<Index> {
  // The worker is kept idle unless a test asks for it, so tests drive deliveries with a clock.
  // Test webhook targets listen on 127.0.0.1, which deliveries refuse unless allowed.
  return buildIndex({ events: { secret }, ...overrides, webhooks: { interval: '1h', allowPrivateTargets: true, ...overrides.webhooks } });
}

let serial = 0;
export const digestOfLayer = (n: number) => `sha256:${String(n).padStart(64, '0')}`;

export function pushEvent(repository: string, digest: string, options: { tag?: string; actor?: string; id?: string; at?: string } = {}): Event {
  const target: EventTarget = {
    mediaType: mediaTypes.ociManifest,
    size: 527,
    digest,
    length: 527,
    repository,
    url: `http://registry.test/v2/${repository}/manifests/${digest}`,
    references: [
      { mediaType: mediaTypes.ociConfig, digest: digestOfLayer(1), size: 10 },
      { mediaType: mediaTypes.ociLayerGzip, digest: digestOfLayer(2), size: 20 },
    ],
  };
  if (options.tag) target.tag = options.tag;
  return event('push', target, options);
}

export function deleteEvent(repository: string, by: { digest?: string; tag?: string }, options: { actor?: string; id?: string } = {}): Event {
  return event('delete', { repository, ...by }, options);
}

function event(action: Event['action'], target: EventTarget, options: { actor?: string; id?: string; at?: string }): Event {
  return {
    id: options.id ?? `event-${++serial}`,
    timestamp: options.at ?? new Date().toISOString(),
    action,
    target,
    request: { id: `req-${serial}`, addr: '10.0.0.7:51234', host: 'registry.test', method: action === 'push' ? 'PUT' : 'DELETE', useragent: 'docker/27' },
    actor: options.actor ? { name: options.actor } : {},
    source: { addr: 'registry-1:5000', instanceID: 'instance-1' },
  };
}

/** POSTs an envelope as the registry does; the body may be a raw string. */
export function postEvents(index: Index, body: object | string, headers: Record<string, string> = {}) {
  const req = request(index.app)
    .post('/events')
    .set({ Authorization: `Bearer ${secret}`, 'Content-Type': mediaTypes.events, ...headers })
    .serialize((b: unknown) => (typeof b === 'string' ? b : JSON.stringify(b)));
  return req.send(typeof body === 'string' ? body : (body as object));
}

export async function recordEvents(index: Index, ...events: Event[]): Promise<void> {
  const res = await postEvents(index, { events });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

export interface HookTarget {
  url: string;
  received: { headers: IncomingHttpHeaders; body: Record<string, any> }[];
  /** Statuses for the next requests, first to last; afterwards 200. */
  script: number[];
  close(): Promise<void>;
}

export async function startHookTarget(): Promise<HookTarget> {
  const target: HookTarget = { url: '', received: [], script: [], close: async () => undefined };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      target.received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, any> });
      const status = target.script.shift() ?? 200;
      res.writeHead(status, status >= 300 && status < 400 ? { Location: 'http://127.0.0.1:9/elsewhere' } : {}).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  target.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  target.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return target;
}
