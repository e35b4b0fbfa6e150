// Blob uploads: a session's bytes live in storage (_uploads/<uuid>/data), so an upload continues
// after a restart or on another instance. Bytes are hashed while they are written; the live hash
// is kept in memory and rebuilt from storage only when this process did not see every byte.
// Commit = verify digest → move into blobs/ → link into the repository; nothing half-written is
// ever visible as a blob.
import { createHash, randomUUID, type Hash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { KeyedLock, parseDigest, RegistryError, type DigestAlgorithm } from '@wharf/shared';
import type { StorageDriver } from './driver/driver.js';
import { isPathNotFound } from './driver/driver.js';
import type { BlobInfo, BlobStore } from './blob-store.js';
import { deleteIfPresent } from './links.js';
import { uploadDataPath, uploadDirPath, uploadStartedAtPath } from './paths.js';

export interface UploadStatus {
  uuid: string;
  /** Bytes received so far. */
  size: number;
}

/** The byte range a chunk claims, from Content-Range ("start-end", inclusive). */
export interface ChunkRange {
  start: number;
  end: number;
}

interface LiveHash {
  hash: Hash;
  size: number;
}

const uuidGrammar = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** Live hashes kept at most; beyond that the oldest is rebuilt from storage when needed. */
const maxLiveHashes = 4096;

export function isUploadId(value: string): boolean {
  return uuidGrammar.test(value);
}

function hashingTap(live: LiveHash | undefined): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      live?.hash.update(chunk);
      callback(null, chunk);
    },
  });
}

export class UploadSessions {
  private readonly live = new Map<string, LiveHash>();
  private readonly locks = new KeyedLock();

  constructor(
    private readonly driver: StorageDriver,
    private readonly blobs: BlobStore,
  ) {}

  async start(name: string): Promise<UploadStatus> {
    const uuid = randomUUID();
    await this.driver.putContent(uploadStartedAtPath(name, uuid), Buffer.from(new Date().toISOString()));
    const writer = await this.driver.writer(uploadDataPath(name, uuid), false);
    await writer.close();
    this.remember(uuid, { hash: createHash('sha256'), size: 0 });
    return { uuid, size: 0 };
  }

  async status(name: string, uuid: string): Promise<UploadStatus> {
    try {
      await this.driver.stat(uploadStartedAtPath(name, uuid));
      const info = await this.driver.stat(uploadDataPath(name, uuid));
      return { uuid, size: info.size };
    } catch (err) {
      if (isPathNotFound(err)) throw new RegistryError('BLOB_UPLOAD_UNKNOWN', { detail: { uuid } });
      throw err;
    }
  }

  /** Appends a chunk; a chunk that does not start where the upload ends is RANGE_INVALID. */
  append(name: string, uuid: string, source: Readable, range?: ChunkRange): Promise<UploadStatus> {
    return this.exclusive(uuid, async () => {
      const { size } = await this.status(name, uuid);
      if (range && range.start !== size) {
        source.resume();
        throw new RegistryError('RANGE_INVALID', {
          message: `chunk starts at ${range.start} but the upload holds ${size} bytes`,
          detail: { uploaded: size },
        });
      }
      const writer = await this.driver.writer(uploadDataPath(name, uuid), true);
      let live = this.live.get(uuid);
      if (live && live.size !== writer.size) {
        this.live.delete(uuid);
        live = undefined;
      }
      const tap = hashingTap(live);
      try {
        const [, written] = await Promise.all([pipeline(source, tap), writer.append(tap)]);
        if (live) live.size += written;
      } catch (err) {
        this.live.delete(uuid);
        throw err;
      } finally {
        await writer.close();
      }
      return { uuid, size: writer.size };
    });
  }

  /** Completes the upload as `digest`; on a mismatch the upload is discarded and nothing stored. */
  commit(name: string, uuid: string, digest: string, finalChunk?: Readable): Promise<BlobInfo> {
    const { algorithm } = parseDigest(digest);
    const finish = async (): Promise<BlobInfo> => {
      const { size } = await this.status(name, uuid);
      // Make the bytes readable at their path (an object store holds them in a multipart upload
      // until its writer commits), as Distribution's blob writer commits before verifying.
      await (await this.driver.writer(uploadDataPath(name, uuid), true)).commit();
      const actual = await this.digestOf(name, uuid, algorithm, size);
      if (actual !== digest) {
        await this.discard(name, uuid);
        throw new RegistryError('DIGEST_INVALID', { detail: { expected: digest, actual } });
      }
      await this.blobs.adopt(uploadDataPath(name, uuid), digest);
      await this.blobs.link(name, digest);
      await this.discard(name, uuid);
      return { digest, size };
    };
    if (!finalChunk) return this.exclusive(uuid, finish);
    return this.append(name, uuid, finalChunk).then(() => this.exclusive(uuid, finish));
  }

  /**
   * Discards an upload. Under the upload's lock, like append and commit: a DELETE landing in the
   * middle of a PATCH would pull the file from under its writer (a 500); in turn, whichever of
   * them comes second finds the upload gone and gets BLOB_UPLOAD_UNKNOWN.
   */
  cancel(name: string, uuid: string): Promise<void> {
    return this.exclusive(uuid, async () => {
      await this.status(name, uuid);
      await this.discard(name, uuid);
    });
  }

  private async discard(name: string, uuid: string): Promise<void> {
    this.live.delete(uuid);
    await deleteIfPresent(this.driver, uploadDirPath(name, uuid));
  }

  private async digestOf(name: string, uuid: string, algorithm: DigestAlgorithm, size: number): Promise<string> {
    const live = this.live.get(uuid);
    if (live && live.size === size && algorithm === 'sha256') return `sha256:${live.hash.copy().digest('hex')}`;
    const hash = createHash(algorithm);
    if (size > 0) {
      for await (const chunk of await this.driver.reader(uploadDataPath(name, uuid))) hash.update(chunk as Buffer);
    }
    return `${algorithm}:${hash.digest('hex')}`;
  }

  private remember(uuid: string, live: LiveHash): void {
    if (this.live.size >= maxLiveHashes) {
      const oldest = this.live.keys().next().value;
      if (oldest !== undefined) this.live.delete(oldest);
    }
    this.live.set(uuid, live);
  }

  /** Runs one operation at a time per upload within this process. */
  private exclusive<T>(uuid: string, run: () => Promise<T>): Promise<T> {
    return this.locks.run(uuid, run);
  }
}
