// How a long-running command stops. The first SIGINT/SIGTERM drains: no new connections, and
// in-flight requests (a docker push's layer upload) finish, up to the services' drain timeouts;
// then the process exits 0. A second signal exits at once. A cluster worker is told the same by
// its primary (a message, so a Ctrl-C that reaches both does not count twice).
import cluster from 'node:cluster';
import { constants } from 'node:os';

/** What the primary sends a worker: drain, or stop now. */
export type ShutdownMessage = { wharf: 'drain' } | { wharf: 'exit' };

function isShutdownMessage(message: unknown): message is ShutdownMessage {
  const kind = (message as { wharf?: unknown } | null)?.wharf;
  return kind === 'drain' || kind === 'exit';
}

/** The exit code of a process ended by `signal`, as a shell reports it. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 15);
}

/** Time beyond the drain timeout for the rest of closing (queued notifications, storage). */
export const closeMarginMs = 10_000;

/**
 * Runs `drain` on the first SIGINT/SIGTERM and exits 0 when it is done (1 if it fails, or if it
 * has not finished drainTimeoutMs + closeMarginMs later); a second signal exits at once.
 */
export function onShutdown(drain: () => Promise<void>, drainTimeoutMs: number): void {
  let draining = false;
  const stop = (signal: NodeJS.Signals, fromPrimary = false) => {
    if (draining) {
      // The primary repeating a drain a Ctrl-C already started is not a second request.
      if (fromPrimary) return;
      console.error(`wharf: ${signal} again: exiting now, cutting in-flight requests`);
      process.exit(signalExitCode(signal));
    }
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
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  if (cluster.isWorker) {
    process.on('message', (message: unknown) => {
      if (!isShutdownMessage(message)) return;
      if (message.wharf === 'exit') process.exit(signalExitCode('SIGTERM'));
      stop('SIGTERM', true);
    });
  }
}
