// A notification endpoint for tests: an HTTP server on 127.0.0.1:0 that records every request
// and answers with the statuses it is scripted to (then what `answer` says, 200 unless set),
// optionally after a delay.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Envelope, Event } from '@wharf/shared';

export interface ReceivedRequest {
  at: number;
  headers: IncomingHttpHeaders;
  envelope: Envelope;
  /** The body's size. */
  bytes: number;
}

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** Every event received with a 2xx answer, in arrival order. */
  events(): Event[];
  /** Statuses for the next requests, first to last; afterwards 200. */
  script: number[];
  /** Milliseconds to wait before answering. */
  delayMs: number;
  /** The status for an envelope the script has no entry for (default 200). */
  answer: (envelope: Envelope) => number;
  /** Resolves once `count` events were accepted (rejects after `timeoutMs`). */
  waitForEvents(count: number, timeoutMs?: number): Promise<Event[]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const accepted: Event[] = [];
  const receiver: Receiver = {
    url: '',
    requests: [],
    events: () => [...accepted],
    script: [],
    delayMs: 0,
    answer: () => 200,
    async waitForEvents(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (accepted.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} events, got ${accepted.length}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      return [...accepted];
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const envelope = JSON.parse(body.toString('utf8')) as Envelope;
      receiver.requests.push({ at: Date.now(), headers: req.headers, envelope, bytes: body.length });
      const status = receiver.script.shift() ?? receiver.answer(envelope);
      setTimeout(() => {
        if (status < 300) accepted.push(...envelope.events);
        res.writeHead(status).end();
      }, receiver.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  return receiver;
}
