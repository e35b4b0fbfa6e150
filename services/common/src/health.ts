// Liveness and readiness, the same way on both services (for load balancers, orchestrators and
// compose): GET /healthz answers 200 as long as the process serves requests and touches nothing
// else; GET /readyz runs every dependency check, each with a time limit, and answers 503 naming
// the checks that failed. GET /health is kept as an alias of /readyz for older health checks.
import { Router, type RequestHandler } from 'express';
import type { Logger } from 'pino';

/** Resolves when the dependency is usable; throws (NotReady for a reason safe to show) otherwise. */
export type ReadinessCheck = () => Promise<unknown> | unknown;

/** A failed check whose message is shown to the caller (anything else is reported as "error" and logged). */
export class NotReady extends Error {}

/** How long one check may take; orchestrator probes should allow a little more. */
export const readinessTimeoutMs = 2000;

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NotReady(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([Promise.resolve().then(check), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface ReadinessReport {
  status: 'ok' | 'unavailable';
  /** Each check's name → "ok" or why it failed. */
  checks: Record<string, string>;
  /** The names of the failed checks (absent when all passed). */
  failing?: string[];
}

/** Runs all checks concurrently; never throws. */
export async function readiness(checks: Record<string, ReadinessCheck>, logger: Logger, timeoutMs = readinessTimeoutMs): Promise<ReadinessReport> {
  const names = Object.keys(checks);
  const results = await Promise.all(
    names.map(async (name) => {
      try {
        await runCheck(checks[name]!, timeoutMs);
        return 'ok';
      } catch (err) {
        logger.warn({ check: name, err }, 'readiness check failed');
        return err instanceof NotReady ? err.message : 'error';
      }
    }),
  );
  const report: ReadinessReport = { status: 'ok', checks: Object.fromEntries(names.map((n, i) => [n, results[i]!])) };
  const failing = names.filter((_, i) => results[i] !== 'ok');
  return failing.length ? { ...report, status: 'unavailable', failing } : report;
}

/** GET /healthz, /readyz and /health (alias of /readyz); mount before any authentication. */
export function healthRoutes(checks: Record<string, ReadinessCheck>, logger: Logger): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });
  const ready: RequestHandler = async (_req, res) => {
    const report = await readiness(checks, (res.locals.log as Logger | undefined) ?? logger);
    res.set('Cache-Control', 'no-store').status(report.status === 'ok' ? 200 : 503).json(report);
  };
  // Two routes rather than one with two paths, so request metrics label each by its own path.
  router.get('/readyz', ready);
  router.get('/health', ready);
  return router;
}
