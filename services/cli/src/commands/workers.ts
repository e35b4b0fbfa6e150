// Runs N copies of the current command as cluster workers; a worker that dies unexpectedly is
// replaced (at most once a second), and SIGINT/SIGTERM stop them all.
import cluster, { type Worker } from 'node:cluster';

export function superviseWorkers(count: number): void {
  let stopping = false;
  let lastRestart = 0;
  const fork = (index: number): Worker => {
    const worker = cluster.fork({ WHARF_WORKER_INDEX: String(index) });
    worker.on('exit', (code, signal) => {
      if (stopping) return;
      const wait = Math.max(0, lastRestart + 1000 - Date.now());
      lastRestart = Date.now() + wait;
      console.error(`wharf: worker ${index} exited (${signal ?? code}); restarting`);
      setTimeout(() => fork(index), wait);
    });
    return worker;
  };
  for (let i = 0; i < count; i++) fork(i);
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    const deadline = setTimeout(() => process.exit(0), 10_000);
    cluster.on('exit', () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        clearTimeout(deadline);
        process.exit(0);
      }
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
