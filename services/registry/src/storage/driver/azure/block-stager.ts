// Cuts a stream into blocks of blockSize bytes and stages them on a block blob, a few at a time.
// Blocks are reported strictly in stream order and only while every earlier block staged, so the
// caller's block list is always a contiguous prefix of the stream, even when staging or the
// source fails part-way.
import type { Readable } from 'node:stream';
import type { BlockBlobClient } from '@azure/storage-blob';

export interface StagedBlock {
  id: string;
  size: number;
}

export interface StageOptions {
  blockSize: number;
  /** Blocks staged at once; also bounds memory to concurrency × blockSize. */
  concurrency: number;
  newBlockId(): string;
}

export async function stageStream(
  source: Readable,
  blob: Pick<BlockBlobClient, 'stageBlock'>,
  options: StageOptions,
  onBlock: (block: StagedBlock) => void,
): Promise<void> {
  const inFlight: Promise<StagedBlock>[] = [];
  let pending: Buffer[] = [];
  let pendingBytes = 0;

  const settleOldest = async (): Promise<void> => {
    const oldest = inFlight.shift();
    if (oldest) onBlock(await oldest);
  };
  const flush = async (): Promise<void> => {
    if (pendingBytes === 0) return;
    // concat copies, so the caller may reuse its buffers once append resolves.
    const body = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    while (inFlight.length >= options.concurrency) await settleOldest();
    const id = options.newBlockId();
    const staged = blob.stageBlock(id, body, body.length).then(() => ({ id, size: body.length }));
    // Observed later by settleOldest (or the cleanup below); never an unhandled rejection.
    staged.catch(() => undefined);
    inFlight.push(staged);
  };

  try {
    for await (const raw of source) {
      let chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw as Uint8Array);
      while (chunk.length > 0) {
        const take = Math.min(options.blockSize - pendingBytes, chunk.length);
        pending.push(chunk.subarray(0, take));
        pendingBytes += take;
        chunk = chunk.subarray(take);
        if (pendingBytes === options.blockSize) await flush();
      }
    }
    await flush();
    while (inFlight.length > 0) await settleOldest();
  } catch (err) {
    // Keep the contiguous prefix that did stage; the first failure ends it.
    try {
      while (inFlight.length > 0) await settleOldest();
    } catch {
      // Let the blocks still in flight finish before the caller may start another append.
      await Promise.allSettled(inFlight.splice(0));
    }
    throw err;
  }
}
