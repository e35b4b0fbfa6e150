// One upstream stream to two consumers: the storage writer and the client who asked first. The
// client's copy holds back its last chunk until the stored copy's digest is verified, so a client
// never receives a complete body for content that fails verification (the response is cut off
// instead). A client that goes away does not stop the storing; a slow one slows both, as one
// stream's backpressure must — but one that takes no data for `clientStallMs` is cut off, so
// that it cannot hold the fill (and everyone waiting for it) beyond the upstream's timeout.
import { PassThrough, Transform, type Readable, type Writable } from 'node:stream';

export interface Tee {
  /** What the storage writer consumes. */
  toStorage: Readable;
  /** What the client receives. */
  toClient: Readable;
  /** Feeds both; resolves when the source is exhausted, rejects (after destroying both) on error. */
  run(): Promise<void>;
}

/** Passes chunks on one behind, and the last only once `verdict` resolves. */
class HeldBackTail extends Transform {
  private held: Buffer | undefined;

  constructor(private readonly verdict: Promise<void>) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    if (this.held) this.push(this.held);
    this.held = chunk;
    callback();
  }

  override _flush(callback: (err?: Error | null) => void): void {
    this.verdict.then(
      () => {
        if (this.held) this.push(this.held);
        callback();
      },
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
    );
  }
}

function writable(target: Writable): boolean {
  return !target.destroyed && !target.writableEnded;
}

/** Waits until the target can take more, or is gone; after stallMs it is destroyed (gone). */
function drained(target: Writable, stallMs?: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = stallMs === undefined ? undefined : setTimeout(() => target.destroy(new Error(`the client took no data for ${stallMs} ms`)), stallMs);
    const done = () => {
      clearTimeout(timer);
      target.off('drain', done);
      target.off('close', done);
      resolve();
    };
    target.on('drain', done);
    target.on('close', done);
  });
}

export function verifiedTee(source: Readable, verdict: Promise<void>, clientStallMs?: number): Tee {
  const toStorage = new PassThrough();
  const toClient = new HeldBackTail(verdict);
  // The verdict may reject before a client reads; that must not count as unhandled.
  verdict.catch(() => undefined);
  const run = async () => {
    try {
      for await (const chunk of source) {
        if (!writable(toStorage)) throw new Error('the storage writer stopped');
        const waits: Promise<void>[] = [];
        for (const target of [toStorage, toClient]) {
          if (writable(target) && !target.write(chunk)) waits.push(drained(target, target === toClient ? clientStallMs : undefined));
        }
        await Promise.all(waits);
      }
      toStorage.end();
      if (writable(toClient)) toClient.end();
    } catch (err) {
      toStorage.destroy(err as Error);
      toClient.destroy(err as Error);
      throw err;
    }
  };
  return { toStorage, toClient, run };
}
