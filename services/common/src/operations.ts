// What operators reach besides the API: request metrics, /metrics, /healthz, /readyz. On the main
// port by default; with `http.debug.addr`, /metrics moves to a separate plain-http listener (as
// Distribution's debug server) that also answers the health routes, so scrapes and probes need no
// client certificate and never share the API's port.
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { healthRoutes, type ReadinessCheck } from './health.js';
import { splitAddr, startHttpServer, type RunningServer } from './http-server.js';
import type { ServiceMetrics } from './metrics.js';

export interface Operations {
  metrics: ServiceMetrics;
  checks: Record<string, ReadinessCheck>;
  logger: Logger;
  /** http.debug.addr: where /metrics is served instead of the main port. */
  debugAddr?: string | undefined;
}

/** Mount right after the request context: every request is counted; no route needs credentials. */
export function mountOperations(app: Express, ops: Operations): void {
  if (ops.metrics.enabled) {
    app.use(ops.metrics.middleware);
    if (ops.debugAddr === undefined) app.get('/metrics', ops.metrics.handler);
  }
  app.use(healthRoutes(ops.checks, ops.logger));
}

/** Starts the debug listener when http.debug.addr is set; undefined otherwise. */
export async function startDebugServer(ops: Operations): Promise<RunningServer | undefined> {
  if (ops.debugAddr === undefined) return undefined;
  const app = express();
  app.disable('x-powered-by');
  if (ops.metrics.enabled) app.get('/metrics', ops.metrics.handler);
  app.use(healthRoutes(ops.checks, ops.logger));
  const { host, port } = splitAddr(ops.debugAddr);
  const server = await startHttpServer(app, host, port);
  ops.logger.info({ addr: `${server.address.address}:${server.address.port}` }, 'debug listener (metrics, health)');
  return server;
}
