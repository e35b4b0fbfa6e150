// The three digests of a v1 layer, taken in the one pass that stores it (never buffered whole):
//   digest    sha256 of the bytes as uploaded — the layer's v2 blob digest;
//   checksum  the payload checksum, sha256(image json + "\n" + bytes as uploaded), that clients
//             send in X-Docker-Checksum-Payload (docs/protocol-v1.md, "Checksums");
//   diffId    sha256 of the uncompressed tar (image spec v1.2, "Layer DiffID"): a gzip layer —
//             recognised by its magic bytes, as Docker 1.x uploads them — is gunzipped on the fly;
//             anything else is taken as a plain tar.
import { createHash } from 'node:crypto';
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

  constructor(imageJson: Buffer) {
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
      gunzip.on('data', (out: Buffer) => this.diff.update(out));
      gunzip.on('error', (err) => {
        this.gunzipError = err;
      });
      this.gunzip = gunzip;
    }
    if (head.length) await this.toDiff(head);
  }

  private async toDiff(chunk: Buffer): Promise<void> {
    const gunzip = this.gunzip;
    if (!gunzip) {
      this.diff.update(chunk);
      return;
    }
    this.failIfGunzipFailed();
    // Backpressure: the gunzip's output is hashed as it comes, so its buffer drains by itself.
    if (!gunzip.write(chunk)) await settled(gunzip, 'drain');
    this.failIfGunzipFailed();
  }

  private async finish(): Promise<void> {
    if (this.mode === undefined) await this.decide();
    const gunzip = this.gunzip;
    if (gunzip) {
      this.failIfGunzipFailed();
      gunzip.end();
      // 'end' comes after the last 'data', so the diff hash has seen every uncompressed byte.
      await settled(gunzip, 'end');
      this.failIfGunzipFailed();
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
    if (this.gunzipError) throw new LayerFormatError(this.gunzipError.message);
  }
}
