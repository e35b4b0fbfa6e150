// How a long-running command stops. The first SIGINT/SIGTERM drains: no new connections, and
// in-flight requests (a docker push's layer upload) finish, up to the services' drain timeouts;
// then the process exits 0. A second signal exits at once. A cluster worker is told the same by
// its primary (a message, so a Ctrl-C that reaches both does not count twice).
import cluster from 'node:cluster';
import { constants } from 'node:os';

/** What the primary sends a worker to drain (a second signal reaches workers as SIGKILL). */
export type ShutdownMessage = { wharf: 'drain' };

function isShutdownMessage(message: unknown): message is ShutdownMessage {
  return (message as { wharf?: unknown } | null)?.wharf === 'drain';
}

/** The exit code of a process ended by `signal`, as a shell reports it. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 15);
}

/** Time beyond the drain timeout for the rest of closing (queued notifications, storage). */
export const closeMarginMs = 10_000;

/**
 * Calls first() on the first SIGINT/SIGTERM and again() on a later one. A repeat within a second
 * is one Ctrl-C delivered twice (by the terminal to the whole process group, and forwarded by
 * `npm start`), not a second request.
 */
export function onSignals(first: (signal: NodeJS.Signals) => void, again: (signal: NodeJS.Signals) => void): void {
  let firstAt: number | undefined;
  const handle = (signal: NodeJS.Signals) => {
    if (firstAt === undefined) {
      firstAt = Date.now();
      first(signal);
    } else if (Date.now() - firstAt >= 1_000) {
      again(signal);
    }
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
}

/**
 * Runs `drain` on the first SIGINT/SIGTERM and exits 0 when it is done (1 if it fails, or if it
 * has not finished drainTimeoutMs + closeMarginMs later); a second signal exits at once.
 */
export function onShutdown(drain: () => Promise<void>, drainTimeoutMs: number): void {
  let draining = false;
  const start = (signal: NodeJS.Signals) => {
    // The primary repeating a drain a Ctrl-C already started is not a second request.
    if (draining) return;
    draining = true;
    console.error(`wharf: ${signal}: draining: no new connections; in-flight requests have ${drainTimeoutMs / 1000}s to finish (send it again to exit now)`);
    setTimeout(() => {
      console.error('wharf: still closing after the drain timeout: exiting');
      process.exit(1);
    }, drainTimeoutMs + closeMarginMs).unref();
    drain().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`wharf: error while stopping on ${signal}: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  const now = (signal: NodeJS.Signals) => {
    console.error(`wharf: ${signal} again: exiting now, cutting in-flight requests`);
    process.exit(signalExitCode(signal));
  };
  onSignals(start, now);
  if (cluster.isWorker) {
    process.on('message', (message: unknown) => {
      if (isShutdownMessage(message)) start('SIGTERM');
    });
  }
}
