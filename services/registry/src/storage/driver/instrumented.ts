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

  const wrapped: StorageDriver = {
    name: driver.name,
    getContent: (path) => timed('getContent', () => driver.getContent(path)),
    putContent: (path, content) => timed('putContent', () => driver.putContent(path, content)),
    reader: async (path, options) => {
      const stream = await timed('reader', () => driver.reader(path, options));
      stream.on('error', (err) => failed('reader.stream', err));
      return stream;
    },
    writer: async (path, append) => timedWriter(await timed('writer', () => driver.writer(path, append))),
    stat: (path) => timed('stat', () => driver.stat(path)),
    list: (path) => timed('list', () => driver.list(path)),
    move: (source, destination) => timed('move', () => driver.move(source, destination)),
    delete: (path) => timed('delete', () => driver.delete(path)),
  };
  if (driver.redirectURL) {
    const redirect = driver.redirectURL.bind(driver);
    wrapped.redirectURL = (path, method) => timed('redirectURL', () => redirect(path, method));
  }
  if (driver.close) wrapped.close = driver.close.bind(driver);
  return wrapped;
}
