// Deterministic benchmark data. Large blobs are a random 1 MiB block (seeded PRNG) repeated, each
// copy stamped with its block index and the seed in its first 16 bytes, so no two blocks (and no
// two blobs) are identical. Blocks are produced one at a time: nothing holds a whole blob.
import { createHash } from 'node:crypto';
import { mulberry32, randomBytesFrom } from '../helpers/prng.js';

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;
export const blockSize = MiB;

/** `length` bytes of mulberry32 output for this seed: good enough to defeat any accidental compression. */
export function randomBytes(seed: number, length: number): Buffer {
  return randomBytesFrom(mulberry32(seed), length);
}

/** A large blob described by its seed and size; its bytes are regenerated on every read. */
export class SyntheticBlob {
  private readonly base: Buffer;
  constructor(
    readonly seed: number,
    readonly size: number,
  ) {
    if (size % blockSize !== 0) throw new Error(`blob size must be a multiple of ${blockSize}`);
    this.base = randomBytes(seed, blockSize);
  }

  /** A fresh buffer for block `index` (callers may hand it to a socket and forget it). */
  block(index: number): Buffer {
    const out = Buffer.allocUnsafeSlow(blockSize);
    this.base.copy(out);
    out.writeBigUInt64BE(BigInt(index), 0);
    out.writeUInt32BE(this.seed >>> 0, 8);
    out.writeUInt32BE(0x57484152, 12); // "WHAR"
    return out;
  }

  /** Blocks covering bytes [start, start + length), both multiples of the block size. */
  *blocks(start = 0, length = this.size - start): Generator<Buffer> {
    if (start % blockSize !== 0 || length % blockSize !== 0) throw new Error('unaligned range');
    const first = start / blockSize;
    const count = length / blockSize;
    for (let i = 0; i < count; i++) yield this.block(first + i);
  }

  /** sha256 of the whole blob, computed by streaming its blocks. */
  digest(): string {
    const hash = createHash('sha256');
    for (const block of this.blocks()) hash.update(block);
    return `sha256:${hash.digest('hex')}`;
  }
}

export function sha256(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}
