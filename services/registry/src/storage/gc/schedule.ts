// Scheduled collection inside the registry process (storage.gc): one run at a time per process
// (a tick that finds a run still going is skipped), a log line per run, stopped on close.
import type { Logger } from 'pino';
import { collectGarbage, type GcReport, type GcStorage } from './collector.js';

export interface GcSchedule {
  /** Runs a collection now unless one is running; resolves with its report (undefined if skipped). */
  runNow(): Promise<GcReport | undefined>;
  /** Stops the timer and waits for a run in progress to finish. */
  stop(): Promise<void>;
}

export function scheduleGarbageCollection(storage: GcStorage, intervalMs: number, gracePeriodMs: number, logger: Logger): GcSchedule {
  let running: Promise<GcReport | undefined> | undefined;
  const runNow = (): Promise<GcReport | undefined> => {
    if (running) return Promise.resolve(undefined);
    const run = collectGarbage(storage, { gracePeriodMs })
      .then((report) => {
        logger.info(
          {
            blobsRemoved: report.blobsRemoved.length,
            bytesFreed: report.bytesFreed,
            manifestsRemoved: report.manifestsRemoved.length,
            layerLinksRemoved: report.layerLinksRemoved,
            blobsKeptRecent: report.blobsKeptRecent,
            blobsMarked: report.blobsMarked,
            durationMs: report.durationMs,
          },
          'garbage collection finished',
        );
        return report;
      })
      .catch((err: unknown) => {
        logger.error({ err }, 'garbage collection failed');
        return undefined;
      })
      .finally(() => {
        running = undefined;
      });
    running = run;
    return run;
  };
  const timer = setInterval(() => void runNow(), intervalMs);
  timer.unref();
  return {
    runNow,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
