// An endpoint's durable queue, kept in the storage driver so that it survives restarts and is
// shared by every registry instance over the same store. Each entry is one small object holding
// a few events ({"events": [...]}, the envelope's own shape), named
//
//   <ms since epoch, 13 digits>-<producer>-<sequence, 10 digits>-<event count>
//
// so that listing sorts entries by time, and one producer's (one process's) entries strictly in
// the order it wrote them: its clock reading never goes back and its sequence only grows. Writes
// of one producer are serialized (entry n+1 is written once entry n is stored), so a reader that
// sees entry n+1 of a producer has seen entry n or it is already delivered and removed. Events
// written while a write is in flight go together into the next entry (group commit), so
// concurrent requests share writes instead of queuing one write each.
//
// Only driver-contract calls (getContent, putContent, list, move, delete): works on every driver.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Event } from '@wharf/shared';
import { isPathNotFound, type StorageDriver } from '../storage/driver/driver.js';

export interface QueueEntry {
  /** The object's path. */
  path: string;
  name: string;
  /** Events in the entry (from its name, so depth needs no reads). */
  count: number;
}

interface PendingEvent {
  event: Event;
  resolve(): void;
  reject(err: unknown): void;
}

const entryName = /^(\d{13})-([a-z0-9]+)-(\d{10})-(\d+)$/;
/** Waits between the attempts to store an entry before the requests waiting on it fail. */
const writeRetriesMs = [50, 250];

/** A producer id: distinct per process start, so two processes never write the same name. */
export function newProducerId(): string {
  return randomBytes(6).toString('hex');
}

export class DurableQueue {
  private readonly pending: PendingEvent[] = [];
  private writing: Promise<void> | undefined;
  private sequence = 0;
  private lastTime = 0;

  constructor(
    private readonly driver: StorageDriver,
    /** The endpoint's directory (paths.ts: notificationEndpointPath). */
    readonly dir: string,
    private readonly producer: string,
    /** Most events in one entry. */
    private readonly maxEntryEvents: number,
    /** Called after each stored entry (wakes this process's sender). */
    private readonly onStored: () => void = () => {},
  ) {}

  private get queueDir(): string {
    return `${this.dir}/queue`;
  }

  /** Resolves once the event is stored; rejects if storage keeps failing. */
  append(event: Event): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ event, resolve, reject });
      this.startWriting();
    });
  }

  /** Resolves once every event appended so far is stored (or failed). */
  async settled(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Entries not yet removed, oldest first. */
  async list(): Promise<QueueEntry[]> {
    let paths: string[];
    try {
      paths = await this.driver.list(this.queueDir);
    } catch (err) {
      if (isPathNotFound(err)) return [];
      throw err;
    }
    const entries: QueueEntry[] = [];
    for (const path of paths) {
      const name = path.slice(path.lastIndexOf('/') + 1);
      const match = entryName.exec(name);
      if (match) entries.push({ path, name, count: Number(match[4]) });
    }
    return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The entry's events; undefined if it is gone (another instance delivered it). Throws SyntaxError if unreadable. */
  async read(entry: QueueEntry): Promise<Event[] | undefined> {
    let content: Buffer;
    try {
      content = await this.driver.getContent(entry.path);
    } catch (err) {
      if (isPathNotFound(err)) return undefined;
      throw err;
    }
    const parsed = JSON.parse(content.toString('utf8')) as { events?: unknown };
    if (!Array.isArray(parsed.events)) throw new SyntaxError(`${entry.name}: no events array`);
    return parsed.events as Event[];
  }

  /** Removes delivered entries (one already gone is fine: another instance removed it). */
  async remove(entries: readonly QueueEntry[]): Promise<void> {
    for (const entry of entries) {
      await this.driver.delete(entry.path).catch((err: unknown) => {
        if (!isPathNotFound(err)) throw err;
      });
    }
  }

  /** Moves an unreadable entry out of the queue, kept for an operator to look at. */
  async setAside(entry: QueueEntry): Promise<void> {
    await this.driver.move(entry.path, `${this.dir}/corrupt/${entry.name}`);
  }

  private startWriting(): void {
    if (this.writing) return;
    this.writing = this.writeAll().finally(() => {
      this.writing = undefined;
      // An event appended between the loop's last look and this callback.
      if (this.pending.length) this.startWriting();
    });
  }

  private async writeAll(): Promise<void> {
    while (this.pending.length) {
      const batch = this.pending.splice(0, this.maxEntryEvents);
      const path = `${this.queueDir}/${this.nextName(batch.length)}`;
      const content = Buffer.from(JSON.stringify({ events: batch.map((p) => p.event) }), 'utf8');
      try {
        await this.store(path, content);
        batch.forEach((p) => p.resolve());
        this.onStored();
      } catch (err) {
        batch.forEach((p) => p.reject(err));
      }
    }
  }

  /** putContent is atomic, so retrying under the same name can never leave two copies. */
  private async store(path: string, content: Buffer): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.driver.putContent(path, content);
        return;
      } catch (err) {
        const waitMs = writeRetriesMs[attempt];
        if (waitMs === undefined) throw err;
        await sleep(waitMs);
      }
    }
  }

  private nextName(count: number): string {
    // A clock stepped back must not reorder this producer's entries.
    this.lastTime = Math.max(this.lastTime, Date.now());
    this.sequence++;
    return `${String(this.lastTime).padStart(13, '0')}-${this.producer}-${String(this.sequence).padStart(10, '0')}-${count}`;
  }
}
