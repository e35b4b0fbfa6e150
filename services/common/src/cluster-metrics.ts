// Metrics of a service run as several cluster workers on one port (`wharf registry --workers N`).
// A scrape reaches whichever worker the kernel hands the connection to, so each worker's own
// numbers would jump between scrapes. Instead the worker asks the primary, which collects every
// ready worker's registry and merges them with prom-client's AggregatorRegistry.aggregate
// (counters and histograms summed, gauges by their aggregator).
// The primary asks only workers that said they are ready: a worker still starting (or just
// replaced) has no listener yet, and waiting for its answer would fail the scrape.
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { ServiceMetrics } from './metrics.js';

const workerReady = 'wharf:metrics-ready';
const scrapeRequest = 'wharf:metrics-scrape';
const scrapeAnswer = 'wharf:metrics-scrape-answer';
const collectRequest = 'wharf:metrics-collect';
const collectAnswer = 'wharf:metrics-collect-answer';
/** A ready worker that has not answered by then is reported, rather than waited for. */
const collectTimeoutMs = 5_000;
/** The worker's wait for the primary, longer than the primary's wait for the workers. */
const scrapeTimeoutMs = 8_000;

type Message =
  | { type: typeof workerReady }
  | { type: typeof scrapeRequest; id: number }
  | { type: typeof scrapeAnswer; id: number; body?: string; error?: string }
  | { type: typeof collectRequest; id: number }
  | { type: typeof collectAnswer; id: number; metrics: object[] };

function asMessage(message: unknown): Message | undefined {
  const type = (message as { type?: unknown } | null)?.type;
  return typeof type === 'string' && type.startsWith('wharf:metrics-') ? (message as Message) : undefined;
}

interface Collection {
  waitingFor: Set<Worker>;
  parts: object[][];
  finish(err?: Error): void;
}

/** In the primary: answers the workers' requests for the whole cluster's metrics. Call once. */
export function serveClusterMetrics(): void {
  const ready = new Set<Worker>();
  const collections = new Map<number, Collection>();
  let nextId = 0;

  const collect = () =>
    new Promise<string>((resolve, reject) => {
      const id = nextId++;
      const collection: Collection = {
        waitingFor: new Set([...ready].filter((w) => w.isConnected())),
        parts: [],
        finish(err) {
          if (!collections.delete(id)) return;
          clearTimeout(timer);
          if (err) reject(err);
          else AggregatorRegistry.aggregate(collection.parts).metrics().then(resolve, reject);
        },
      };
      const timer = setTimeout(() => collection.finish(new Error(`${collection.waitingFor.size} worker(s) did not answer within ${collectTimeoutMs / 1000} s`)), collectTimeoutMs);
      collections.set(id, collection);
      for (const worker of collection.waitingFor) worker.send({ type: collectRequest, id } satisfies Message);
      if (collection.waitingFor.size === 0) collection.finish();
    });

  cluster.on('exit', (worker) => {
    ready.delete(worker);
    // A worker gone mid-collection takes its counts with it; the others still answer.
    for (const collection of collections.values()) {
      if (collection.waitingFor.delete(worker) && collection.waitingFor.size === 0) collection.finish();
    }
  });
  cluster.on('message', (worker, raw: unknown) => {
    const message = asMessage(raw);
    if (message?.type === workerReady) ready.add(worker);
    if (message?.type === collectAnswer) {
      const collection = collections.get(message.id);
      if (!collection?.waitingFor.delete(worker)) return;
      collection.parts.push(message.metrics);
      if (collection.waitingFor.size === 0) collection.finish();
    }
    if (message?.type === scrapeRequest) {
      const reply = (answer: { body?: string; error?: string }) => {
        if (worker.isConnected()) worker.send({ type: scrapeAnswer, id: message.id, ...answer } satisfies Message);
      };
      collect().then(
        (body) => reply({ body }),
        (err: unknown) => reply({ error: err instanceof Error ? err.message : String(err) }),
      );
    }
  });
}

/**
 * In a worker, once its metrics exist: offers them to the primary's collections, and makes its
 * /metrics answer with the whole cluster's exposition.
 */
export function shareWorkerMetrics(metrics: ServiceMetrics): void {
  const send = process.send?.bind(process);
  if (!cluster.isWorker || !send) throw new Error('shareWorkerMetrics runs in a cluster worker');
  let nextId = 0;
  const waiting = new Map<number, { resolve: (body: string) => void; reject: (err: Error) => void; timer: NodeJS.Timeout }>();
  process.on('message', (raw: unknown) => {
    const message = asMessage(raw);
    if (message?.type === collectRequest) {
      void metrics.registry.getMetricsAsJSON().then(
        (json) => send({ type: collectAnswer, id: message.id, metrics: json } satisfies Message),
        // Answering with nothing keeps the scrape going without this worker's numbers.
        () => send({ type: collectAnswer, id: message.id, metrics: [] } satisfies Message),
      );
    }
    if (message?.type === scrapeAnswer) {
      const pending = waiting.get(message.id);
      if (!pending) return;
      waiting.delete(message.id);
      clearTimeout(pending.timer);
      if (message.body !== undefined) pending.resolve(message.body);
      else pending.reject(new Error(`the primary could not collect the workers' metrics: ${message.error ?? 'no answer'}`));
    }
  });
  metrics.setSource(
    () =>
      new Promise<string>((resolve, reject) => {
        const id = nextId++;
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`the primary did not answer within ${scrapeTimeoutMs / 1000} s`));
        }, scrapeTimeoutMs);
        timer.unref();
        waiting.set(id, { resolve, reject, timer });
        send({ type: scrapeRequest, id } satisfies Message);
      }),
  );
  send({ type: workerReady } satisfies Message);
}
