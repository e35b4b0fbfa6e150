// The public surface of @wharf/common: HTTP plumbing shared by the registry and the index.
export { requestContext } from './request-context.js';
export { errorRenderer } from './error-renderer.js';
export { debugSection, duration, fetchUrl, httpLimitFields, httpLimits, listenAddr, logSection, tlsSection, type TlsSettings } from './config-schemas.js';
export { serviceUrl, splitAddr, startHttpServer, tlsServerOptions, type HttpLimits, type RunningServer } from './http-server.js';
export type { DrainResult } from './in-flight.js';
export { stopServing } from './stop-serving.js';
export { serveClusterMetrics, shareWorkerMetrics } from './cluster-metrics.js';
export { counter, createServiceMetrics, gauge, histogram, sampleValue, type MetricsRegistry, type ServiceMetrics } from './metrics.js';
export { healthRoutes, NotReady, readiness, readinessTimeoutMs, type ReadinessCheck, type ReadinessReport } from './health.js';
export { mountOperations, startDebugServer, type Operations } from './operations.js';
