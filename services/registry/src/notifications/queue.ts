// An endpoint's durable queue, kept in the storage driver so that it survives restarts and is
// shared by every registry instance over the same store. Each entry is one small object holding
// a few events ({"events": [...]}, the envelope's own shape), named
//
//   <ms since epoch, 13 digits>-<producer>-<sequence, 10 digits>-<event count>-<bytes>
//
// (entries written before the byte count was added have no -<bytes> and count as 0 bytes)
// so that listing sorts entries by time, and one producer's (one process's) entries strictly in
// the order it wrote them: its clock reading never goes back and its sequence only grows. Writes
// of one producer are serialized (entry n+1 is written once entry n is stored), so a reader that
// sees entry n+1 of a producer has seen entry n or it is already delivered and removed. Events
// written while a write is in flight go together into the next entry (group commit), so
// concurrent requests share writes instead of queuing one write each.
//
// Byte budgets (QueueLimits): an entry holds at most `entryBytes` (the batch budget, so any
// entry fits in an envelope), events waiting in memory for the next write take at most one
// entry's worth (further appends wait for the write), and queue/ holds at most `queueBytes`: an
// event that would go past it is not stored (append throws QueueFullError; the caller decides).
// Entries the receiver refused for good are moved to dead-letter/, which keeps the newest
// `deadLetterBytes` and deletes older ones.
//
// Only driver-contract calls (getContent, putContent, list, move, delete): works on every driver.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { envelopeBytes, type Event } from '@wharf/shared';
import { isPathNotFound, type StorageDriver } from '../storage/driver/driver.js';

export interface QueueEntry {
  /** The object's path. */
  path: string;
  name: string;
  /** Events in the entry (from its name, so depth needs no reads). */
  count: number;
  /** The entry's size in bytes (from its name; 0 for entries written without it). */
  bytes: number;
}

export interface QueueLimits {
  /** Most events in one entry. */
  entryEvents: number;
  /** Most bytes in one entry: the batch budget (an entry is an envelope). */
  entryBytes: number;
  /** Most bytes stored in queue/; an event past it is refused with QueueFullError. */
  queueBytes: number;
  /** Most bytes kept in dead-letter/; the oldest dead letters are deleted past it. */
  deadLetterBytes: number;
}

/** The stored queue is at its byte budget: the event was not stored. */
export class QueueFullError extends Error {}

interface PendingEvent {
  event: Event;
  json: string;
  bytes: number;
  resolve(): void;
  reject(err: unknown): void;
}

const entryName = /^(\d{13})-([a-z0-9]+)-(\d{10})-(\d+)(?:-(\d+))?$/;
/** Waits between the attempts to store an entry before the requests waiting on it fail. */
const writeRetriesMs = [50, 250];

/** A producer id: distinct per process start, so two processes never write the same name. */
export function newProducerId(): string {
  return randomBytes(6).toString('hex');
}

/** Parses the names of entries in a listing, oldest first. */
function entriesOf(paths: readonly string[]): QueueEntry[] {
  const entries: QueueEntry[] = [];
  for (const path of paths) {
    const name = path.slice(path.lastIndexOf('/') + 1);
    const match = entryName.exec(name);
    if (match) entries.push({ path, name, count: Number(match[4]), bytes: Number(match[5] ?? 0) });
  }
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** An entry's stored bytes: the envelope of these serialized events. */
function envelopeContent(eventJson: readonly string[]): Buffer {
  return Buffer.from(`{"events":[${eventJson.join(',')}]}`, 'utf8');
}

/** The entry's name with another event count and size: the same place in the order. */
function renamed(entry: QueueEntry, count: number, bytes: number): string {
  const [, time, producer, sequence] = entryName.exec(entry.name)!;
  return `${time}-${producer}-${sequence}-${count}-${bytes}`;
}

export class DurableQueue {
  private readonly pending: PendingEvent[] = [];
  private pendingBytes = 0;
  /** Appends waiting for room in memory, woken after each write. */
  private roomWaiters: (() => void)[] = [];
  private writing: Promise<void> | undefined;
  private sequence = 0;
  private lastTime = 0;
  /** Bytes in queue/ as last listed, plus what this process stored since. */
  private storedBytes = 0;

  constructor(
    private readonly driver: StorageDriver,
    /** The endpoint's directory (paths.ts: notificationEndpointPath). */
    readonly dir: string,
    private readonly producer: string,
    readonly limits: QueueLimits,
    /** Called after each stored entry (wakes this process's sender). */
    private readonly onStored: () => void = () => {},
  ) {}

  private get queueDir(): string {
    return `${this.dir}/queue`;
  }

  private get deadLetterDir(): string {
    return `${this.dir}/dead-letter`;
  }

  /** Bytes stored in queue/, as far as this process knows (refreshed by list()). */
  get bytes(): number {
    return this.storedBytes;
  }

  /**
   * Resolves once the event is stored; rejects if storage keeps failing, or with QueueFullError
   * (at once) if the stored queue has no room for it. Waits while the events waiting in memory
   * for the next write fill an entry.
   */
  async append(event: Event): Promise<void> {
    const json = JSON.stringify(event);
    const bytes = Buffer.byteLength(json, 'utf8');
    while (this.pendingBytes > 0 && this.pendingBytes + bytes > this.limits.entryBytes) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
    if (this.storedBytes + this.pendingBytes + bytes > this.limits.queueBytes) {
      throw new QueueFullError(`the notification queue holds ${this.storedBytes} bytes; its budget is ${this.limits.queueBytes}`);
    }
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ event, json, bytes, resolve, reject });
      this.pendingBytes += bytes;
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
    const entries = entriesOf(paths);
    this.storedBytes = entries.reduce((sum, e) => sum + e.bytes, 0);
    return entries;
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
      this.storedBytes = Math.max(0, this.storedBytes - entry.bytes);
    }
  }

  /**
   * Moves entries the receiver refused for good to dead-letter/ (kept for an operator: moving
   * one back into queue/ sends it again), then deletes the oldest dead letters past the budget.
   * Resolves the names of the dead letters deleted that way.
   */
  async deadLetter(entries: readonly QueueEntry[]): Promise<string[]> {
    for (const entry of entries) {
      await this.driver.move(entry.path, `${this.deadLetterDir}/${entry.name}`).catch((err: unknown) => {
        if (!isPathNotFound(err)) throw err;
      });
      this.storedBytes = Math.max(0, this.storedBytes - entry.bytes);
    }
    return this.trimDeadLetters();
  }

  /**
   * Stores some of an entry's events in dead-letter/ under the entry's place in the order (the
   * entry itself stays; narrow() takes them out of it), then trims dead-letter/ like deadLetter.
   */
  async deadLetterEvents(entry: QueueEntry, events: readonly Event[]): Promise<string[]> {
    const content = envelopeContent(events.map((e) => JSON.stringify(e)));
    await this.store(`${this.deadLetterDir}/${renamed(entry, events.length, content.length)}`, content);
    return this.trimDeadLetters();
  }

  /**
   * Replaces an entry with one holding only `events` (a part of its own), named to sort where it
   * did: the same time, producer and sequence. The new entry, or undefined if no events are left.
   * A crash in between leaves both, so the kept events are sent again: at least once.
   */
  async narrow(entry: QueueEntry, events: readonly Event[]): Promise<QueueEntry | undefined> {
    let kept: QueueEntry | undefined;
    if (events.length) {
      const content = envelopeContent(events.map((e) => JSON.stringify(e)));
      const name = renamed(entry, events.length, content.length);
      kept = { path: `${this.queueDir}/${name}`, name, count: events.length, bytes: content.length };
      await this.store(kept.path, content);
      this.storedBytes += content.length;
    }
    await this.remove([entry]);
    return kept;
  }

  /** Deletes the oldest dead letters past the budget; resolves their names. */
  private async trimDeadLetters(): Promise<string[]> {
    const kept = entriesOf(await this.driver.list(this.deadLetterDir).catch((err: unknown) => (isPathNotFound(err) ? [] : Promise.reject(err))));
    let bytes = kept.reduce((sum, e) => sum + e.bytes, 0);
    const deleted: string[] = [];
    for (const old of kept) {
      if (bytes <= this.limits.deadLetterBytes) break;
      await this.driver.delete(old.path).catch((err: unknown) => {
        if (!isPathNotFound(err)) throw err;
      });
      bytes -= old.bytes;
      deleted.push(old.name);
    }
    return deleted;
  }

  /** The dead letters, oldest first. */
  async deadLetters(): Promise<QueueEntry[]> {
    try {
      return entriesOf(await this.driver.list(this.deadLetterDir));
    } catch (err) {
      if (isPathNotFound(err)) return [];
      throw err;
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
      const batch = this.pending.splice(0, this.entryLength());
      const content = envelopeContent(batch.map((p) => p.json));
      const path = `${this.queueDir}/${this.nextName(batch.length, content.length)}`;
      try {
        await this.store(path, content);
        this.storedBytes += content.length;
        batch.forEach((p) => p.resolve());
        this.onStored();
      } catch (err) {
        batch.forEach((p) => p.reject(err));
      }
      this.pendingBytes -= batch.reduce((sum, p) => sum + p.bytes, 0);
      this.roomWaiters.splice(0).forEach((wake) => wake());
    }
  }

  /** How many pending events the next entry takes: within both budgets, at least one. */
  private entryLength(): number {
    let bytes = envelopeBytes([]);
    let n = 0;
    for (const p of this.pending) {
      if (n === this.limits.entryEvents || (n > 0 && bytes + p.bytes + 1 > this.limits.entryBytes)) break;
      bytes += p.bytes + (n > 0 ? 1 : 0);
      n++;
    }
    return n;
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

  private nextName(count: number, bytes: number): string {
    // A clock stepped back must not reorder this producer's entries.
    this.lastTime = Math.max(this.lastTime, Date.now());
    this.sequence++;
    return `${String(this.lastTime).padStart(13, '0')}-${this.producer}-${String(this.sequence).padStart(10, '0')}-${count}-${bytes}`;
  }
}
