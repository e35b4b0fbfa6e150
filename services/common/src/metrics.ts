// Prometheus metrics for a service (prom-client), one registry per service instance (no global
// state, so tests and `wharf serve` can run several): requests by route, method and status, their
// duration, bytes in and out, plus the process's own metrics. Routes are labelled by name (the
// registry's route ids, the index's route patterns), never by raw path, to bound cardinality.
// The registry of metrics exists even when metrics are off, so components count unconditionally
// (an increment costs next to nothing); off, nothing is served and requests are not timed.
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface ServiceMetrics {
  registry: Registry;
  /** Whether the metrics are served (http.metrics). */
  enabled: boolean;
  /** Counts and times every request; mount first. */
  middleware(req: Request, res: Response, next: NextFunction): void;
  /** GET /metrics in the Prometheus text format. */
  handler(req: Request, res: Response): Promise<void>;
  /** Where the exposition comes from: this process's registry unless replaced (cluster workers). */
  setSource(source: () => Promise<string>): void;
}

function routeLabel(req: Request, res: Response): string {
  const named = res.locals.metricsRoute;
  if (typeof named === 'string') return named;
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  return typeof pattern === 'string' ? pattern : 'other';
}

export function createServiceMetrics(service: string, enabled = true): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (enabled) collectDefaultMetrics({ register: registry, prefix: 'wharf_' });
  const labelNames = ['route', 'method', 'status'] as const;
  const requests = new Counter({ name: 'wharf_http_requests_total', help: 'HTTP requests answered', labelNames, registers: [registry] });
  const duration = new Histogram({
    name: 'wharf_http_request_duration_seconds',
    help: 'Time from request to the end of the response',
    labelNames,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    registers: [registry],
  });
  const bytesOut = new Counter({ name: 'wharf_http_response_bytes_total', help: 'Bytes sent, headers included', labelNames: ['route'], registers: [registry] });
  const bytesIn = new Counter({ name: 'wharf_http_request_bytes_total', help: 'Bytes received, headers included', labelNames: ['route'], registers: [registry] });

  let source = () => registry.metrics();

  return {
    registry,
    enabled,
    middleware(req, res, next) {
      const started = process.hrtime.bigint();
      const socket = req.socket;
      const readBefore = socket.bytesRead;
      const writtenBefore = socket.bytesWritten;
      res.on('finish', () => {
        const route = routeLabel(req, res);
        const labels = { route, method: req.method, status: String(res.statusCode) };
        requests.inc(labels);
        duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
        bytesOut.inc({ route }, Math.max(0, socket.bytesWritten - writtenBefore));
        bytesIn.inc({ route }, Math.max(0, socket.bytesRead - readBefore));
      });
      next();
    },
    async handler(_req, res) {
      let body: string;
      try {
        body = await source();
      } catch (err) {
        // A failed scrape must look failed to Prometheus, not like counters reset to nothing.
        res.status(503).type('text/plain').send(`metrics unavailable: ${err instanceof Error ? err.message : String(err)}\n`);
        return;
      }
      res.set('Content-Type', registry.contentType).send(body);
    },
    setSource(next) {
      source = next;
    },
  };
}

// Components declare their metrics through these: one registry per service, and a component built
// twice over the same registry (tests, a rebuilt app) reuses the metric instead of failing.
type Config<T extends string> = { name: string; help: string; labelNames?: readonly T[] };

export function counter<T extends string>(registry: Registry, config: Config<T>): Counter<T> {
  return (registry.getSingleMetric(config.name) as Counter<T> | undefined) ?? new Counter({ ...config, registers: [registry] });
}

export function gauge<T extends string>(registry: Registry, config: Config<T> & { collect?: (this: Gauge<T>) => void }): Gauge<T> {
  return (registry.getSingleMetric(config.name) as Gauge<T> | undefined) ?? new Gauge({ ...config, registers: [registry] });
}

export function histogram<T extends string>(registry: Registry, config: Config<T> & { buckets: number[] }): Histogram<T> {
  return (registry.getSingleMetric(config.name) as Histogram<T> | undefined) ?? new Histogram({ ...config, registers: [registry] });
}

export type { Registry as MetricsRegistry } from 'prom-client';

/**
 * The value of one sample in a Prometheus text exposition (what GET /metrics answers): the line of
 * `name` whose labels include all of `labels`, in any order; undefined when there is none.
 */
export function sampleValue(exposition: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of exposition.split('\n')) {
    const match = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = new Map([...(match[2] ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
    if (Object.entries(labels).every(([k, v]) => present.get(k) === v)) return Number(match[3]);
  }
  return undefined;
}
