// The S3 driver: a storage path is an object key under the root prefix, with Distribution's
// s3-aws layout (no marker objects for directories), so Distribution's `s3` driver on the same
// bucket and rootdirectory reads what this one wrote and the other way round. Directories exist
// while some key lies below them. Writers stream through multipart uploads (s3-writer.ts).
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Readable } from 'node:stream';
import type { FileInfo, FileWriter, ReadOptions, StorageDriver } from '../driver.js';
import { StorageDriverError } from '../driver.js';
import { JournalCache } from './journal-cache.js';
import { copyRanges, maxPartBytes } from './part-size.js';
import { copySource, createS3Client, isInvalidRange, isMissingKey, keyPrefix, writeOptions, type S3Params } from './s3-client.js';
import { abortUpload, headJournal, journalSuffix, openWriter, type S3Store } from './s3-writer.js';

const name = 's3';
/** Pages are bounded so a misbehaving store cannot keep a listing going forever. */
const maxPages = 1_000_000;

export class S3Driver implements StorageDriver {
  readonly name = name;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly root: string;
  private readonly store: S3Store;

  constructor(private readonly params: S3Params) {
    this.client = createS3Client(params);
    this.bucket = params.bucket;
    this.root = keyPrefix(params.rootDirectory);
    this.store = { client: this.client, bucket: this.bucket, chunkSize: params.chunkSize, write: writeOptions(params), journals: new JournalCache() };
  }

  private key(path: string): string {
    return this.root + path.slice(1);
  }

  private notFound(path: string): StorageDriverError {
    return new StorageDriverError('PathNotFound', path, name);
  }

  async getContent(path: string): Promise<Buffer> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(path) }));
      const bytes = await res.Body!.transformToByteArray();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (err) {
      if (isMissingKey(err)) throw this.notFound(path);
      throw err;
    }
  }

  async putContent(path: string, content: Uint8Array): Promise<void> {
    // One PUT replaces the object atomically: readers see the old or the new value.
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: this.key(path), Body: content, ContentLength: content.byteLength, ...this.store.write }),
    );
  }

  async reader(path: string, options: ReadOptions = {}): Promise<Readable> {
    const offset = options.offset ?? 0;
    const ranged = offset > 0 || options.end !== undefined;
    try {
      const res = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.key(path), ...(ranged ? { Range: `bytes=${offset}-${options.end ?? ''}` } : {}) }),
      );
      return res.Body as Readable;
    } catch (err) {
      if (isMissingKey(err)) throw this.notFound(path);
      if (!isInvalidRange(err)) throw err;
    }
    // S3 refuses a range starting at the size; the contract reads nothing there.
    const info = await this.stat(path);
    if (info.isDirectory) throw this.notFound(path);
    if (offset === info.size) return Readable.from([]);
    throw new StorageDriverError('InvalidOffset', path, name);
  }

  writer(path: string, append: boolean): Promise<FileWriter> {
    return openWriter(this.store, this.key(path), append);
  }

  async stat(path: string): Promise<FileInfo> {
    if (path === '/') {
      // The root always exists, but asking proves the bucket answers (the health check's probe).
      const res = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.root, MaxKeys: 1 }));
      return { path, size: 0, modTime: res.Contents?.[0]?.LastModified ?? new Date(), isDirectory: true };
    }
    const key = this.key(path);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { path, size: head.ContentLength ?? 0, modTime: head.LastModified ?? new Date(), isDirectory: false };
    } catch (err) {
      if (!isMissingKey(err)) throw err;
    }
    const [below, journal] = await Promise.all([
      this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${key}/`, MaxKeys: 1 })),
      headJournal(this.store, key),
    ]);
    const first = below.Contents?.[0];
    if (first) return { path, size: 0, modTime: first.LastModified ?? new Date(), isDirectory: true };
    // A file being written: its size is what the writer holds so far.
    if (journal) return { path, size: journal.partsBytes + journal.tailBytes, modTime: journal.modTime, isDirectory: false };
    throw this.notFound(path);
  }

  async list(path: string): Promise<string[]> {
    const prefix = path === '/' ? this.root : `${this.key(path)}/`;
    const base = path === '/' ? '' : path;
    const children = new Set<string>();
    let token: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const res = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, Delimiter: '/', ...(token ? { ContinuationToken: token } : {}) }),
      );
      for (const p of res.CommonPrefixes ?? []) {
        const child = p.Prefix?.slice(prefix.length, -1);
        if (child) children.add(`${base}/${child}`);
      }
      for (const o of res.Contents ?? []) {
        // A writer's journal stands for its file, which exists from writer() on.
        const child = o.Key?.slice(prefix.length).replace(journalSuffix, '');
        if (child) children.add(`${base}/${child}`);
      }
      if (!res.IsTruncated || !res.NextContinuationToken) break;
      token = res.NextContinuationToken;
    }
    if (children.size === 0 && path !== '/') throw this.notFound(path);
    return [...children];
  }

  async move(source: string, destination: string): Promise<void> {
    const from = this.key(source);
    const to = this.key(destination);
    let size: number;
    try {
      size = (await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: from }))).ContentLength ?? 0;
    } catch (err) {
      if (isMissingKey(err)) throw this.notFound(source);
      throw err;
    }
    // Server-side: the bytes never pass through the registry.
    if (size <= maxPartBytes) {
      await this.client.send(
        new CopyObjectCommand({ Bucket: this.bucket, Key: to, CopySource: copySource(this.bucket, from), ...this.store.write }),
      );
    } else {
      await this.copyInParts(from, to, size);
    }
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: from }));
  }

  /** CopyObject stops at 5 GiB; beyond, a multipart upload of UploadPartCopy ranges. */
  private async copyInParts(from: string, to: string, size: number): Promise<void> {
    const { UploadId } = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: to, ...this.store.write }));
    try {
      const parts = [];
      for (const [i, { start, end }] of copyRanges(size).entries()) {
        const n = i + 1;
        const res = await this.client.send(
          new UploadPartCopyCommand({ Bucket: this.bucket, Key: to, UploadId, PartNumber: n, CopySource: copySource(this.bucket, from), CopySourceRange: `bytes=${start}-${end}` }),
        );
        parts.push({ PartNumber: n, ETag: res.CopyPartResult?.ETag });
      }
      await this.client.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: to, UploadId, MultipartUpload: { Parts: parts } }));
    } catch (err) {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: to, UploadId })).catch(() => undefined);
      throw err;
    }
  }

  async delete(path: string): Promise<void> {
    const key = this.key(path);
    const [file, journal] = await Promise.all([this.exists(key), headJournal(this.store, key)]);
    const deletedBelow = await this.deletePrefix(`${key}/`);
    if (!file && !journal && deletedBelow === 0) throw this.notFound(path);
    if (journal?.uploadId) await abortUpload(this.store, key, journal.uploadId);
    this.store.journals?.delete(key);
    const own = [...(file ? [key] : []), ...(journal ? [key + journalSuffix] : [])];
    if (own.length) await this.deleteKeys(own);
    // Writers below a deleted directory (an upload purged mid-way) leave no parts behind.
    if (deletedBelow > 0) await this.abortUploads(`${key}/`);
  }

  private async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (err) {
      if (isMissingKey(err)) return false;
      throw err;
    }
  }

  /** Deletes every key under prefix, a listing page (≤1000 keys) per DeleteObjects; returns the count. */
  private async deletePrefix(prefix: string): Promise<number> {
    let deleted = 0;
    for (let page = 0; page < maxPages; page++) {
      // Always the first page: what was deleted is gone from the next listing.
      const res = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix }));
      const keys = (res.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : []));
      if (keys.length === 0) break;
      await this.deleteKeys(keys);
      deleted += keys.length;
      if (!res.IsTruncated) break;
    }
    return deleted;
  }

  private async deleteKeys(keys: string[]): Promise<void> {
    const res = await this.client.send(
      new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }),
    );
    const failed = (res.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
    if (failed.length) {
      throw new Error(`s3: could not delete ${failed.length} objects, e.g. ${failed[0]?.Key}: ${failed[0]?.Code} ${failed[0]?.Message ?? ''}`);
    }
  }

  /** Aborts the multipart uploads under prefix started before `before`; returns their keys. */
  private async abortUploads(prefix: string, before?: Date): Promise<string[]> {
    const aborted: string[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const res = await this.client.send(
        new ListMultipartUploadsCommand({
          Bucket: this.bucket,
          Prefix: prefix,
          ...(keyMarker ? { KeyMarker: keyMarker } : {}),
          ...(uploadIdMarker ? { UploadIdMarker: uploadIdMarker } : {}),
        }),
      );
      for (const upload of res.Uploads ?? []) {
        if (!upload.Key || !upload.UploadId) continue;
        if (before && upload.Initiated && upload.Initiated >= before) continue;
        await abortUpload(this.store, upload.Key, upload.UploadId);
        aborted.push(`/${upload.Key.slice(this.root.length)}`);
      }
      if (!res.IsTruncated) break;
      keyMarker = res.NextKeyMarker;
      uploadIdMarker = res.NextUploadIdMarker;
    }
    return aborted;
  }

  abortStaleWrites(before: Date): Promise<string[]> {
    return this.abortUploads(this.root, before);
  }

  async redirectURL(path: string, method: 'GET' | 'HEAD'): Promise<string | undefined> {
    const input = { Bucket: this.bucket, Key: this.key(path) };
    const command = method === 'HEAD' ? new HeadObjectCommand(input) : new GetObjectCommand(input);
    return getSignedUrl(this.client, command, { expiresIn: Math.max(1, Math.round(this.params.redirectExpiryMs / 1000)) });
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

export function createS3Driver(params: S3Params): S3Driver {
  return new S3Driver(params);
}
