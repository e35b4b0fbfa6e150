// The three digests of a v1 layer, taken in the one pass that stores it (never buffered whole):
//   digest    sha256 of the bytes as uploaded — the layer's v2 blob digest;
//   checksum  the payload checksum, sha256(image json + "\n" + bytes as uploaded), that clients
//             send in X-Docker-Checksum-Payload (docs/protocol-v1.md, "Checksums");
//   diffId    sha256 of the uncompressed tar (image spec v1.2, "Layer DiffID"): a gzip layer —
//             recognised by its magic bytes, as Docker 1.x uploads them — is gunzipped on the fly;
//             anything else is taken as a plain tar.
// Gunzipping is bounded (LayerLimits), since a small gzip can expand a thousandfold: past a limit
// the stream fails with a LayerLimitError and the gunzip is stopped at once.
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Transform, type TransformCallback } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';

export interface LayerDigests {
  digest: string;
  size: number;
  checksum: string;
  diffId: string;
  /** Whether the bytes are gzip (decides the media type the bridge gives the layer). */
  gzip: boolean;
}

/** The gunzip side failed: the bytes start like gzip but are not a valid gzip stream. */
export class LayerFormatError extends Error {}

/** The layer went past a LayerLimits bound; the message says which, for the client. */
export class LayerLimitError extends Error {}

/** Bounds on the work of the diff id (config v1.maxLayerExpansion and the options beside it). */
export interface LayerLimits {
  /** Decompressed bytes allowed per byte received, over `expansionAllowance`. */
  maxExpansion: number;
  expansionAllowance: number;
  maxUncompressedBytes: number;
  /** Time spent gunzipping and hashing, not counting waits for the client's bytes. */
  timeoutMs: number;
}

const gzipMagic = [0x1f, 0x8b] as const;

/** Resolves on `event` or on an error (which the hasher records and checks afterwards). */
function settled(stream: Gunzip, event: 'drain' | 'end'): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off(event, done);
      stream.off('error', done);
      resolve();
    };
    stream.on(event, done);
    stream.on('error', done);
  });
}

/** A pass-through stream that computes LayerDigests of everything written through it. */
export class LayerHasher extends Transform {
  private readonly raw = createHash('sha256');
  private readonly payload = createHash('sha256');
  private readonly diff = createHash('sha256');
  private size = 0;
  /** Bytes held until the first two decide between gzip and plain tar. */
  private head: Buffer[] = [];
  private headSize = 0;
  private mode: 'gzip' | 'plain' | undefined;
  private gunzip: Gunzip | undefined;
  private gunzipError: Error | undefined;
  private result: LayerDigests | undefined;
  /** Bytes the gunzip produced so far. */
  private expanded = 0;
  /** Time spent on the diff side before the current piece of work, and when that piece began. */
  private busyMs = 0;
  private workStart: number | undefined;

  constructor(
    imageJson: Buffer,
    private readonly limits: LayerLimits,
  ) {
    super();
    this.payload.update(imageJson).update('\n');
  }

  /** The digests, once the stream has finished. */
  digests(): LayerDigests {
    if (!this.result) throw new Error('layer digests asked for before the layer ended');
    return this.result;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.raw.update(chunk);
    this.payload.update(chunk);
    this.size += chunk.length;
    this.feed(chunk).then(() => callback(null, chunk), (err: unknown) => callback(err as Error));
  }

  override _flush(callback: TransformCallback): void {
    this.finish().then(() => callback(), (err: unknown) => callback(err as Error));
  }

  private async feed(chunk: Buffer): Promise<void> {
    if (this.mode === undefined) {
      this.head.push(chunk);
      this.headSize += chunk.length;
      if (this.headSize < gzipMagic.length) return;
      await this.decide();
      return;
    }
    await this.toDiff(chunk);
  }

  private async decide(): Promise<void> {
    const head = Buffer.concat(this.head, this.headSize);
    this.head = [];
    this.mode = head.length >= 2 && head[0] === gzipMagic[0] && head[1] === gzipMagic[1] ? 'gzip' : 'plain';
    if (this.mode === 'gzip') {
      const gunzip = createGunzip();
      gunzip.on('data', (out: Buffer) => {
        if (this.gunzipError) return;
        this.expanded += out.length;
        const limit = this.overLimit();
        if (limit) gunzip.destroy(limit);
        else this.diff.update(out);
      });
      gunzip.on('error', (err) => {
        this.gunzipError = err;
      });
      this.gunzip = gunzip;
    }
    if (head.length) await this.toDiff(head);
  }

  /** The limit the work so far went past, as the error to fail with; undefined within them. */
  private overLimit(): LayerLimitError | undefined {
    const { maxExpansion, expansionAllowance, maxUncompressedBytes, timeoutMs } = this.limits;
    const allowed = Math.min(maxUncompressedBytes, expansionAllowance + maxExpansion * this.size);
    if (this.expanded > allowed) {
      const why = allowed === maxUncompressedBytes ? '' : ` (${maxExpansion}× the ${this.size} bytes received, plus ${expansionAllowance})`;
      return new LayerLimitError(`Image layer decompresses to more than ${allowed} bytes${why}`);
    }
    const current = this.workStart === undefined ? 0 : performance.now() - this.workStart;
    if (this.busyMs + current > timeoutMs) {
      return new LayerLimitError(`Image layer took longer than ${timeoutMs}ms to decompress and hash`);
    }
    return undefined;
  }

  /** Runs diff-side work, counting its time against the limit. */
  private async timed(work: () => Promise<void>): Promise<void> {
    const start = performance.now();
    this.workStart = start;
    try {
      await work();
    } finally {
      this.busyMs += performance.now() - start;
      this.workStart = undefined;
    }
    const limit = this.overLimit();
    if (limit) throw limit;
  }

  private toDiff(chunk: Buffer): Promise<void> {
    return this.timed(async () => {
      const gunzip = this.gunzip;
      if (!gunzip) {
        this.diff.update(chunk);
        return;
      }
      this.failIfGunzipFailed();
      // Backpressure: the gunzip's output is hashed as it comes, so its buffer drains by itself.
      if (!gunzip.write(chunk)) await settled(gunzip, 'drain');
      this.failIfGunzipFailed();
    });
  }

  private async finish(): Promise<void> {
    if (this.mode === undefined) await this.decide();
    const gunzip = this.gunzip;
    if (gunzip) {
      await this.timed(async () => {
        this.failIfGunzipFailed();
        gunzip.end();
        // 'end' comes after the last 'data', so the diff hash has seen every uncompressed byte.
        await settled(gunzip, 'end');
        this.failIfGunzipFailed();
      });
    }
    this.result = {
      digest: `sha256:${this.raw.digest('hex')}`,
      size: this.size,
      checksum: `sha256:${this.payload.digest('hex')}`,
      diffId: `sha256:${this.diff.digest('hex')}`,
      gzip: this.mode === 'gzip',
    };
  }

  private failIfGunzipFailed(): void {
    if (this.gunzipError instanceof LayerLimitError) throw this.gunzipError;
    if (this.gunzipError) throw new LayerFormatError(this.gunzipError.message);
  }
}
