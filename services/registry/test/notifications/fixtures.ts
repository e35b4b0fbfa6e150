// What the queue and endpoint tests share: the drivers the queue must work on (memory, a
// temporary filesystem root, S3 on Ceph RGW, Azure on Azurite), short timings, a driver whose calls can be made to fail, and
// events with a recognizable tag.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mediaTypes, type Event } from '@wharf/shared';
import type { StorageDriver } from '../../src/storage/driver/driver.js';
import { checked } from '../../src/storage/driver/checked.js';
import { createFilesystemDriver } from '../../src/storage/driver/filesystem/filesystem-driver.js';
import { createMemoryDriver } from '../../src/storage/driver/memory/memory-driver.js';
import type { EndpointOptions, QueueTiming } from '../../src/notifications/endpoint.js';
import type { QueueLimits } from '../../src/notifications/queue.js';
import { objectStoreKinds } from '../helpers/object-stores.js';

export const fastTiming: QueueTiming = { pollMs: 20, maxBatch: 100, lease: { ttlMs: 400, settleMs: 20 } };

/** Byte budgets far above what a test writes unless it sets them. */
export const roomyBudgets: Pick<EndpointOptions, 'maxBatchBytes' | 'maxQueueBytes' | 'maxDeadLetterBytes'> = {
  maxBatchBytes: 1024 * 1024,
  maxQueueBytes: 64 * 1024 * 1024,
  maxDeadLetterBytes: 64 * 1024 * 1024,
};

/** A queue's limits: `entryEvents` per entry, roomy byte budgets unless overridden. */
export function queueLimits(entryEvents = 100, budgets: Partial<QueueLimits> = {}): QueueLimits {
  return { entryEvents, entryBytes: roomyBudgets.maxBatchBytes, queueBytes: roomyBudgets.maxQueueBytes, deadLetterBytes: roomyBudgets.maxDeadLetterBytes, ...budgets };
}

export interface DriverKind {
  name: string;
  /** Why this driver cannot run here (its tests skip with the reason). */
  skip?: string | undefined;
  create(): Promise<{ driver: StorageDriver; cleanup(): Promise<void> }>;
}

/** The queue must behave the same on each (the object-storage drivers run the same contract). */
export const driverKinds: DriverKind[] = [
  { name: 'memory', create: async () => ({ driver: checked(createMemoryDriver()), cleanup: async () => {} }) },
  {
    name: 'filesystem',
    create: async () => {
      const root = await mkdtemp(join(tmpdir(), 'wharf-notify-'));
      return { driver: checked(createFilesystemDriver({ rootDirectory: root })), cleanup: () => rm(root, { recursive: true, force: true }) };
    },
  },
  ...objectStoreKinds,
];

/** Wraps a driver so that chosen calls fail (a storage outage, a crash between two calls). */
export function faultyDriver(inner: StorageDriver, fails: { [K in keyof StorageDriver]?: (path: string) => boolean }): StorageDriver {
  const guard = <A extends unknown[], R>(method: keyof StorageDriver, call: (path: string, ...rest: A) => Promise<R>) =>
    async (path: string, ...rest: A): Promise<R> => {
      const fail = fails[method] as ((path: string) => boolean) | undefined;
      if (fail?.(path)) throw new Error(`injected ${String(method)} failure: ${path}`);
      return call(path, ...rest);
    };
  return {
    name: inner.name,
    getContent: guard('getContent', (p) => inner.getContent(p)),
    putContent: guard('putContent', (p, c: Uint8Array) => inner.putContent(p, c)),
    reader: guard('reader', (p, o?: Parameters<StorageDriver['reader']>[1]) => inner.reader(p, o)),
    writer: guard('writer', (p, a: boolean) => inner.writer(p, a)),
    stat: guard('stat', (p) => inner.stat(p)),
    list: guard('list', (p) => inner.list(p)),
    move: guard('move', (p, d: string) => inner.move(p, d)),
    delete: guard('delete', (p) => inner.delete(p)),
  };
}

let serial = 0;
export function event(tag: string, action: Event['action'] = 'push', mediaType: string = mediaTypes.ociManifest): Event {
  serial++;
  const target: Event['target'] =
    action === 'delete' ? { repository: 'team/app', tag } : { repository: 'team/app', tag, digest: `sha256:${'a'.repeat(64)}`, mediaType, size: 2, length: 2 };
  return {
    id: `event-${serial}-${tag}`,
    timestamp: new Date().toISOString(),
    action,
    target,
    request: { id: 'r', addr: '', host: '', method: 'PUT', useragent: 'test' },
    actor: { name: 'alice' },
    source: { addr: 'here:5000', instanceID: 'i' },
  };
}

export const tagsOf = (events: readonly Event[]) => events.map((e) => e.target.tag);
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
