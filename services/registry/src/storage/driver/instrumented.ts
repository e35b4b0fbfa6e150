// Times every driver call and counts its failures, by driver and operation, as a decorator (like
// checked.ts) so drivers stay free of metrics. A writer's append/commit/cancel/close and errors
// of a reader's stream count as operations of their own. Errors are labelled by kind
// (PathNotFound, InvalidOffset, … or "other"): a not-found stat is routine, "other" is trouble.
import type { Readable } from 'node:stream';
import { counter, histogram, type MetricsRegistry } from '@wharf/common';
import { StorageDriverError, type FileWriter, type StorageDriver } from './driver.js';

export function instrumented(driver: StorageDriver, registry: MetricsRegistry): StorageDriver {
  const duration = histogram(registry, {
    name: 'wharf_storage_operation_duration_seconds',
    help: 'Storage driver calls by driver and operation (for readers: until the stream opens)',
    labelNames: ['driver', 'operation'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
  });
  const errors = counter(registry, {
    name: 'wharf_storage_operation_errors_total',
    help: 'Storage driver calls that failed, by driver, operation and error kind',
    labelNames: ['driver', 'operation', 'kind'],
  });
  const failed = (operation: string, err: unknown) => {
    errors.inc({ driver: driver.name, operation, kind: err instanceof StorageDriverError ? err.kind : 'other' });
  };
  const timed = async <T>(operation: string, call: () => Promise<T>): Promise<T> => {
    const end = duration.startTimer({ driver: driver.name, operation });
    try {
      return await call();
    } catch (err) {
      failed(operation, err);
      throw err;
    } finally {
      end();
    }
  };
  const timedWriter = (writer: FileWriter): FileWriter => ({
    get size() {
      return writer.size;
    },
    append: (source: Readable) => timed('writer.append', () => writer.append(source)),
    close: () => timed('writer.close', () => writer.close()),
    commit: () => timed('writer.commit', () => writer.commit()),
    cancel: () => timed('writer.cancel', () => writer.cancel()),
  });

  // Every method (all are async) is timed, including optional ones this file does not name (redirectURL,
  // or one added to the contract later), so the decorator never hides a capability.
  const wrapped: Record<string, unknown> = { name: driver.name };
  for (const key of methodNames(driver)) {
    const method = (driver as unknown as Record<string, (...args: unknown[]) => unknown>)[key]!.bind(driver);
    wrapped[key] = key === 'close' ? method : (...args: unknown[]) => timed(key, async () => method(...args));
  }
  const typed = wrapped as unknown as StorageDriver;
  typed.reader = async (path, options) => {
    const stream = await timed('reader', () => driver.reader(path, options));
    stream.on('error', (err) => failed('reader.stream', err));
    return stream;
  };
  typed.writer = async (path, append) => timedWriter(await timed('writer', () => driver.writer(path, append)));
  return typed;
}

/** The names of a driver's methods: own functions and those of its class chain. */
function methodNames(driver: StorageDriver): string[] {
  const names = new Set<string>();
  for (let o: object | null = driver; o && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const key of Object.getOwnPropertyNames(o)) {
      if (key !== 'constructor' && typeof (driver as unknown as Record<string, unknown>)[key] === 'function') names.add(key);
    }
  }
  return [...names];
}
