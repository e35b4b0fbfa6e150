// Scheduled collection: one run at a time, a log line per run, stopped cleanly; and the registry
// starts it from storage.gc.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { createHash, randomBytes } from 'node:crypto';
import { pino, type Logger } from 'pino';
import { createMemoryDriver } from '../driver/memory/memory-driver.js';
import { createRegistryStorage } from '../registry-storage.js';
import { registryConfigSchema } from '../../config/schema.js';
import { createRegistry } from '../../server.js';
import { scheduleGarbageCollection } from './schedule.js';
import { minimumGraceMs } from './collector.js';

function capturedLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: pino({ level: 'info' }, sink) as Logger, lines };
}

describe('scheduled garbage collection', () => {
  it('runs one collection at a time and logs one line per run', async () => {
    const storage = createRegistryStorage(createMemoryDriver());
    const content = randomBytes(100);
    const digest = `sha256:${createHash('sha256').update(content).digest('hex')}`;
    const upload = await storage.uploads.start('sched/app');
    await storage.uploads.commit('sched/app', upload.uuid, digest, Readable.from([content]));
    // Older than the shortest grace a run uses.
    await new Promise((resolve) => setTimeout(resolve, minimumGraceMs + 100));
    const { logger, lines } = capturedLogger();
    const schedule = scheduleGarbageCollection(storage, 3_600_000, 0, logger);
    try {
      const [first, second] = await Promise.all([schedule.runNow(), schedule.runNow()]);
      assert.ok(first, 'the first run ran');
      assert.equal(second, undefined, 'the second was skipped while the first ran');
      assert.deepEqual(first.blobsRemoved, [{ digest, size: 100, manifest: false }]);
      const finished = lines.filter((l) => l.msg === 'garbage collection finished');
      assert.equal(finished.length, 1);
      assert.equal(finished[0]?.bytesFreed, 100);
      assert.ok(await schedule.runNow(), 'runs again once the first is done');
    } finally {
      await schedule.stop();
    }
  });

  it('is started by the registry when storage.gc.enabled, and stopped by close()', async () => {
    const { logger, lines } = capturedLogger();
    const config = registryConfigSchema.parse({ storage: { memory: {}, gc: { enabled: true, interval: '50ms', gracePeriod: '0s' } } });
    const registry = await createRegistry(config, { logger });
    const deadline = Date.now() + 10_000;
    while (!lines.some((l) => l.msg === 'garbage collection finished') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    await registry.close();
    const runs = lines.filter((l) => l.msg === 'garbage collection finished').length;
    assert.ok(runs >= 1, 'a scheduled run happened');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(lines.filter((l) => l.msg === 'garbage collection finished').length, runs, 'no run after close()');
  });
});
