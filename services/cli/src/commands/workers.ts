// Runs N copies of the current command as cluster workers. A worker that dies after it served is
// replaced (at most once a second); one that dies before it ever listened (its port taken, say)
// stops them all, as a single process would. On SIGINT/SIGTERM the workers drain (shutdown.ts),
// and the primary exits once they have; a second signal stops everything at once.
import cluster, { type Worker } from 'node:cluster';
import { closeMarginMs, onSignals, signalExitCode, type ShutdownMessage } from './shutdown.js';

function tellAll(message: ShutdownMessage, to: (worker: Worker) => boolean): void {
  for (const worker of Object.values(cluster.workers ?? {})) {
    if (worker?.isConnected() && to(worker)) worker.send(message);
  }
}

export function superviseWorkers(count: number, drainTimeoutMs: number): void {
  let stopping = false;
  let lastRestart = 0;
  const listening = new WeakSet<Worker>();
  const exitWhenAllGone = (code: number) => {
    const check = () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(code);
    };
    cluster.on('exit', check);
    check();
  };
  const fork = (index: number): Worker => {
    const worker = cluster.fork({ WHARF_WORKER_INDEX: String(index) });
    worker.once('listening', () => listening.add(worker));
    worker.on('exit', (code, signal) => {
      if (stopping) return;
      if (!listening.has(worker)) {
        console.error(`wharf: worker ${index} exited (${signal ?? code}) before it listened; stopping`);
        stopping = true;
        killAll();
        exitWhenAllGone(1);
        return;
      }
      const wait = Math.max(0, lastRestart + 1000 - Date.now());
      lastRestart = Date.now() + wait;
      console.error(`wharf: worker ${index} exited (${signal ?? code}); restarting`);
      setTimeout(() => fork(index), wait);
    });
    return worker;
  };
  for (let i = 0; i < count; i++) fork(i);
  const drain = (signal: NodeJS.Signals) => {
    stopping = true;
    console.error(`wharf: ${signal}: draining ${count} workers (send it again to stop at once)`);
    tellAll({ wharf: 'drain' }, (worker) => listening.has(worker));
    // One still starting serves nothing yet, and may not hear messages yet: it just stops.
    for (const worker of Object.values(cluster.workers ?? {})) if (worker && !listening.has(worker)) worker.process.kill('SIGTERM');
    setTimeout(() => {
      console.error('wharf: workers still running after the drain timeout: stopping them');
      killAll();
      process.exit(1);
    }, drainTimeoutMs + closeMarginMs).unref();
    exitWhenAllGone(0);
  };
  const now = (signal: NodeJS.Signals) => {
    console.error(`wharf: ${signal} again: stopping the workers now`);
    killAll();
    process.exit(signalExitCode(signal));
  };
  onSignals(drain, now);
}

function killAll(): void {
  for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
}
