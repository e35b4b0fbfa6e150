// How a service's listeners stop: at once (tests, a failed start), or drained on shutdown, with a
// log line when the drain begins and how it ended.
import type { Logger } from 'pino';
import type { RunningServer } from './http-server.js';

/**
 * Closes the main and the debug listener. With drainMs, the main one stops accepting and its
 * in-flight requests get up to drainMs to finish; the debug listener (probes, metrics) stays up
 * meanwhile, and closes last.
 */
export async function stopServing(main: RunningServer | undefined, debug: RunningServer | undefined, logger: Logger, drainMs?: number): Promise<void> {
  if (drainMs === undefined || !main) {
    await Promise.all([main?.close(), debug?.close()]);
    return;
  }
  logger.info({ inFlight: main.inFlight(), drainTimeoutMs: drainMs }, 'draining: no new connections; in-flight requests may finish');
  const { waitedFor, cut } = await main.drain(drainMs);
  await debug?.close();
  if (cut) logger.warn({ cut, waitedFor }, 'drain timeout reached: cut the requests still running');
  else logger.info({ finished: waitedFor }, 'drained: every in-flight request finished');
}
