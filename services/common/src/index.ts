// The public surface of @wharf/common: HTTP plumbing shared by the registry and the index.
export { requestContext } from './request-context.js';
export { errorRenderer } from './error-renderer.js';
export { duration, listenAddr, logSection } from './config-schemas.js';
export { splitAddr, startHttpServer, type RunningServer } from './http-server.js';
export { createServiceMetrics, enableMetrics, type ServiceMetrics } from './metrics.js';
