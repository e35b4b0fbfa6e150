// Resumable writers over S3 multipart uploads. S3 parts must be at least 5 MiB (but the last),
// while a chunked v2 upload may append a few bytes at a time, and the registry keeps no state
// outside its driver, so a writer's state lives in S3 beside its key, in a journal object
// `<key>~wharf-writer` ('~' is outside the path grammar, so no storage path collides with it):
//   body      the tail: bytes appended but not yet sent as a part (< the next part size)
//   metadata  upload-id, parts (how many parts hold data), parts-bytes (their total size)
// A part is uploaded before the journal that counts it, so a crash in between leaves a journal
// that ignores the extra part: it is overwritten by the next append (same part number) or left
// out of CompleteMultipartUpload, and the writer's size is always what the journal says.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import type { FileWriter } from '../driver.js';
import { copySource, isMissingKey, isUploadGone, type WriteOptions } from './s3-client.js';
import type { JournalCache } from './journal-cache.js';
import { partSize } from './part-size.js';

export const journalSuffix = '~wharf-writer';

/** What a writer needs of its driver. */
export interface S3Store {
  client: S3Client;
  bucket: string;
  chunkSize: number;
  write: WriteOptions;
  /** Journals this process holds, to skip downloading an unchanged tail. */
  journals?: JournalCache;
}

export interface Journal {
  uploadId?: string;
  parts: number;
  partsBytes: number;
  tail: Buffer;
}

export interface JournalInfo {
  uploadId?: string;
  partsBytes: number;
  tailBytes: number;
  modTime: Date;
}

function journalMeta(metadata: Record<string, string> | undefined, key: string): Omit<Journal, 'tail'> {
  const parts = Number(metadata?.parts);
  const partsBytes = Number(metadata?.['parts-bytes']);
  if (!Number.isSafeInteger(parts) || parts < 0 || !Number.isSafeInteger(partsBytes) || partsBytes < 0) {
    throw new Error(`s3: the writer journal of ${key} has invalid metadata`);
  }
  const uploadId = metadata?.['upload-id'];
  return { ...(uploadId ? { uploadId } : {}), parts, partsBytes };
}

async function bodyBytes(body: unknown): Promise<Buffer> {
  const bytes = await (body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The journal of key with its tail, or undefined when no writer is in progress there. */
export async function readJournal(store: S3Store, key: string): Promise<Journal | undefined> {
  const cached = store.journals?.has(key) ? await cachedJournal(store, key) : undefined;
  if (cached) return cached;
  try {
    const res = await store.client.send(new GetObjectCommand({ Bucket: store.bucket, Key: key + journalSuffix }));
    const journal = { ...journalMeta(res.Metadata, key), tail: await bodyBytes(res.Body) };
    store.journals?.set(key, res.ETag, journal);
    return journal;
  } catch (err) {
    if (isMissingKey(err)) return undefined;
    throw err;
  }
}

/** The cached journal of key when a HEAD shows the stored one is unchanged (same ETag and figures). */
async function cachedJournal(store: S3Store, key: string): Promise<Journal | undefined> {
  let head;
  try {
    head = await store.client.send(new HeadObjectCommand({ Bucket: store.bucket, Key: key + journalSuffix }));
  } catch (err) {
    if (!isMissingKey(err)) throw err;
    store.journals?.delete(key);
    return undefined;
  }
  const journal = store.journals?.get(key, head.ETag);
  if (!journal) return undefined;
  const meta = journalMeta(head.Metadata, key);
  const same =
    meta.uploadId === journal.uploadId && meta.parts === journal.parts && meta.partsBytes === journal.partsBytes && head.ContentLength === journal.tail.length;
  return same ? journal : undefined;
}

/** The journal's figures without its tail (one HEAD), for stat. */
export async function headJournal(store: S3Store, key: string): Promise<JournalInfo | undefined> {
  try {
    const res = await store.client.send(new HeadObjectCommand({ Bucket: store.bucket, Key: key + journalSuffix }));
    const meta = journalMeta(res.Metadata, key);
    return {
      ...(meta.uploadId ? { uploadId: meta.uploadId } : {}),
      partsBytes: meta.partsBytes,
      tailBytes: res.ContentLength ?? 0,
      modTime: res.LastModified ?? new Date(),
    };
  } catch (err) {
    if (isMissingKey(err)) return undefined;
    throw err;
  }
}

export async function abortUpload(store: S3Store, key: string, uploadId: string): Promise<void> {
  try {
    await store.client.send(new AbortMultipartUploadCommand({ Bucket: store.bucket, Key: key, UploadId: uploadId }));
  } catch (err) {
    // Already completed or aborted: nothing left to release.
    if (!isUploadGone(err)) throw err;
  }
}

class S3Writer implements FileWriter {
  constructor(
    private readonly store: S3Store,
    private readonly key: string,
    private journal: Journal,
  ) {}

  get size(): number {
    return this.journal.partsBytes + this.journal.tail.length;
  }

  async append(source: Readable): Promise<number> {
    const journal = this.journal;
    let chunks: Buffer[] = [journal.tail];
    let buffered = journal.tail.length;
    let taken = 0;
    // One part uploads while the next one fills, so the client's bytes keep flowing. Parts are
    // counted in order; a part that failed goes back in front of the tail.
    let inflight: { body: Buffer; failure: Promise<unknown> } | undefined;
    const settle = async (): Promise<void> => {
      if (!inflight) return;
      const { body, failure } = inflight;
      inflight = undefined;
      const err = await failure;
      if (err !== undefined) {
        chunks.unshift(body);
        buffered += body.length;
        throw err;
      }
    };
    try {
      for await (const chunk of source) {
        const bytes = chunk as Buffer;
        chunks.push(bytes);
        buffered += bytes.length;
        taken += bytes.length;
        for (;;) {
          const want = partSize(journal.parts + (inflight ? 2 : 1), this.store.chunkSize);
          if (buffered < want) break;
          await settle();
          // concat copies, so no caller's buffer is held once append resolves.
          const all = Buffer.concat(chunks, buffered);
          const body = all.subarray(0, want);
          chunks = [all.subarray(want)];
          buffered -= want;
          inflight = { body, failure: this.uploadPart(body).then(() => undefined, (err: unknown) => err ?? new Error('part upload failed')) };
        }
      }
    } finally {
      let failure: unknown;
      await settle().catch((err: unknown) => (failure = err));
      journal.tail = Buffer.concat(chunks, buffered);
      await this.save();
      if (failure !== undefined) throw failure;
    }
    return taken;
  }

  async close(): Promise<void> {
    // Every append ends by saving the journal: nothing is held here.
  }

  async commit(): Promise<void> {
    const { bucket, client } = this.store;
    const journal = this.journal;
    if (journal.uploadId === undefined) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: this.key, Body: journal.tail, ContentLength: journal.tail.length, ...this.store.write }));
    } else {
      try {
        // The tail goes up as the last part without changing the journal, so a failed commit
        // can simply be tried again.
        const last = journal.tail.length > 0 ? journal.parts + 1 : journal.parts;
        if (last > journal.parts) await this.sendPart(journal.uploadId, last, journal.tail);
        const parts = await this.listParts(journal.uploadId, last);
        // Ceph RGW answers with an empty ETag here; nothing below needs it.
        await client.send(
          new CompleteMultipartUploadCommand({ Bucket: bucket, Key: this.key, UploadId: journal.uploadId, MultipartUpload: { Parts: parts } }),
        );
      } catch (err) {
        // An earlier commit completed the upload and died before removing the journal.
        if (!isUploadGone(err) || !(await this.isCommitted())) throw err;
      }
    }
    this.store.journals?.delete(this.key);
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: this.key + journalSuffix }));
  }

  async cancel(): Promise<void> {
    const { bucket, client } = this.store;
    if (this.journal.uploadId) await abortUpload(this.store, this.key, this.journal.uploadId);
    this.store.journals?.delete(this.key);
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: this.key + journalSuffix }));
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: this.key }));
  }

  private async ensureUpload(): Promise<string> {
    if (this.journal.uploadId === undefined) {
      const res = await this.store.client.send(new CreateMultipartUploadCommand({ Bucket: this.store.bucket, Key: this.key, ...this.store.write }));
      if (!res.UploadId) throw new Error(`s3: CreateMultipartUpload of ${this.key} returned no upload id`);
      this.journal.uploadId = res.UploadId;
    }
    return this.journal.uploadId;
  }

  private async sendPart(uploadId: string, partNumber: number, body: Buffer): Promise<void> {
    await this.store.client.send(
      new UploadPartCommand({ Bucket: this.store.bucket, Key: this.key, UploadId: uploadId, PartNumber: partNumber, Body: body, ContentLength: body.length }),
    );
  }

  private async uploadPart(body: Buffer): Promise<void> {
    await this.sendPart(await this.ensureUpload(), this.journal.parts + 1, body);
    this.journal.parts += 1;
    this.journal.partsBytes += body.length;
  }

  /** The object at the key holds exactly what this writer holds. */
  private async isCommitted(): Promise<boolean> {
    try {
      const head = await this.store.client.send(new HeadObjectCommand({ Bucket: this.store.bucket, Key: this.key }));
      return head.ContentLength === this.size;
    } catch (err) {
      if (isMissingKey(err)) return false;
      throw err;
    }
  }

  /** Copies bytes [start, start+length) of an existing object in as the next part. */
  async copyPart(sourceKey: string, start: number, length: number): Promise<void> {
    const uploadId = await this.ensureUpload();
    await this.store.client.send(
      new UploadPartCopyCommand({
        Bucket: this.store.bucket,
        Key: this.key,
        UploadId: uploadId,
        PartNumber: this.journal.parts + 1,
        CopySource: copySource(this.store.bucket, sourceKey),
        CopySourceRange: `bytes=${start}-${start + length - 1}`,
      }),
    );
    this.journal.parts += 1;
    this.journal.partsBytes += length;
  }

  /** Parts 1..count with their ETags; a part beyond count is a leftover of a crash and is left out. */
  private async listParts(uploadId: string, count: number): Promise<CompletedPart[]> {
    const parts = new Map<number, string>();
    let marker: string | undefined;
    for (let page = 0; page < 1000; page++) {
      const res = await this.store.client.send(
        new ListPartsCommand({ Bucket: this.store.bucket, Key: this.key, UploadId: uploadId, ...(marker ? { PartNumberMarker: marker } : {}) }),
      );
      for (const part of res.Parts ?? []) {
        if (part.PartNumber !== undefined && part.PartNumber <= count && part.ETag) parts.set(part.PartNumber, part.ETag);
      }
      if (!res.IsTruncated || !res.NextPartNumberMarker) break;
      marker = res.NextPartNumberMarker;
    }
    const completed: CompletedPart[] = [];
    for (let n = 1; n <= count; n++) {
      const etag = parts.get(n);
      if (!etag) throw new Error(`s3: part ${n} of the upload of ${this.key} is missing`);
      completed.push({ PartNumber: n, ETag: etag });
    }
    return completed;
  }

  async save(): Promise<void> {
    const { uploadId, parts, partsBytes, tail } = this.journal;
    // Forgotten first: if the PUT fails, what is stored is unknown.
    this.store.journals?.delete(this.key);
    const res = await this.store.client.send(
      new PutObjectCommand({
        Bucket: this.store.bucket,
        Key: this.key + journalSuffix,
        Body: tail,
        ContentLength: tail.length,
        Metadata: { ...(uploadId ? { 'upload-id': uploadId } : {}), parts: String(parts), 'parts-bytes': String(partsBytes) },
      }),
    );
    this.store.journals?.set(this.key, res.ETag, this.journal);
  }
}

/** Turns a committed object into a writer's state (for writer(path, true) on a plain object). */
async function adoptObject(store: S3Store, key: string, writer: S3Writer, journal: Journal): Promise<boolean> {
  let size: number;
  try {
    const head = await store.client.send(new HeadObjectCommand({ Bucket: store.bucket, Key: key }));
    size = head.ContentLength ?? 0;
  } catch (err) {
    if (isMissingKey(err)) return false;
    throw err;
  }
  // Whole parts are copied server-side; the remainder, smaller than a part, becomes the tail.
  let offset = 0;
  for (let want = partSize(1, store.chunkSize); size - offset >= want; want = partSize(journal.parts + 1, store.chunkSize)) {
    await writer.copyPart(key, offset, want);
    offset += want;
  }
  if (offset < size) {
    const res = await store.client.send(new GetObjectCommand({ Bucket: store.bucket, Key: key, Range: `bytes=${offset}-${size - 1}` }));
    journal.tail = await bodyBytes(res.Body);
  }
  return true;
}

/**
 * A writer for key. append=false starts over (aborting any earlier upload); append=true resumes
 * the journal, or adopts a committed object at key, or starts empty. Either way the journal
 * exists when this resolves, so stat and list see the file as a filesystem would.
 */
export async function openWriter(store: S3Store, key: string, append: boolean): Promise<FileWriter> {
  const existing = await readJournal(store, key);
  if (append && existing) return new S3Writer(store, key, existing);
  if (existing?.uploadId) await abortUpload(store, key, existing.uploadId);
  const journal: Journal = { parts: 0, partsBytes: 0, tail: Buffer.alloc(0) };
  const writer = new S3Writer(store, key, journal);
  const adopted = append && (await adoptObject(store, key, writer, journal));
  await writer.save();
  // Truncate (append=false) or hand over (adopted): the key now lives in the journal alone.
  if (adopted || !append) await store.client.send(new DeleteObjectCommand({ Bucket: store.bucket, Key: key }));
  return writer;
}
