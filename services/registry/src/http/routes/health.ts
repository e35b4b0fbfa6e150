// GET /health: 200 {"status":"ok"} when the storage driver answers, 503 otherwise — for load
// balancers and compose health checks. A storage root not created yet (nothing pushed) is healthy.
import type { RequestHandler } from 'express';
import { isPathNotFound } from '../../storage/driver/driver.js';
import type { RegistryStorage } from '../../storage/registry-storage.js';

export function healthRoute(storage: RegistryStorage): RequestHandler {
  return async (_req, res) => {
    try {
      await storage.driver.stat('/');
    } catch (err) {
      if (!isPathNotFound(err)) {
        (res.locals.log as { warn(o: object, m: string): void }).warn({ err }, 'health check: storage unavailable');
        res.status(503).json({ status: 'unavailable', storage: storage.driver.name });
        return;
      }
    }
    res.json({ status: 'ok', storage: storage.driver.name });
  };
}
