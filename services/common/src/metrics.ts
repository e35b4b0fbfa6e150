// Prometheus metrics for a service (prom-client), one registry per service instance (no global
// state, so tests and `wharf serve` can run several): requests by route, method and status, their
// duration, bytes in and out, plus the process's own metrics. Routes are labelled by name (the
// registry's route ids, the index's route patterns), never by raw path, to bound cardinality.
import type { Express, NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export interface ServiceMetrics {
  registry: Registry;
  /** Counts and times every request; mount first. */
  middleware(req: Request, res: Response, next: NextFunction): void;
  /** GET /metrics in the Prometheus text format. */
  handler(req: Request, res: Response): Promise<void>;
}

function routeLabel(req: Request, res: Response): string {
  const named = res.locals.metricsRoute;
  if (typeof named === 'string') return named;
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  return typeof pattern === 'string' ? pattern : 'other';
}

export function createServiceMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'wharf_' });
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

  return {
    registry,
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
      res.set('Content-Type', registry.contentType).send(await registry.metrics());
    },
  };
}

/** Counts every request of the app and serves GET /metrics, when enabled (mount it first). */
export function enableMetrics(app: Express, service: string, enabled: boolean): void {
  if (!enabled) return;
  const metrics = createServiceMetrics(service);
  // For parts of the service that add their own metrics (the registry's notification queues).
  app.locals.metrics = metrics;
  app.use(metrics.middleware);
  app.get('/metrics', metrics.handler);
}
