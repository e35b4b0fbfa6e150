// v1 images over the driver: the JSON, its ancestry, the uploaded layer and the completion marker.
// An image is "unfinished" from PUT json until PUT checksum verifies the payload checksum; only
// then does the layer move into the v2 blob store (content-addressed, stored once) and the
// _complete marker appear. Each record is one small file written whole, so a reader sees an old
// or a new record, never half of one; operations on one image run one at a time in this process.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobStore } from '../../storage/blob-store.js';
import type { StorageDriver } from '../../storage/driver/driver.js';
import { isPathNotFound } from '../../storage/driver/driver.js';
import { deleteIfPresent, listIfPresent } from '../../storage/links.js';
import { V1Error } from '../errors.js';
import { KeyedLock } from '@wharf/shared';
import { LayerFormatError, LayerHasher, LayerLimitError, type LayerDigests, type LayerLimits } from './layer-digests.js';
import { ancestryPath, completePath, imageJsonPath, layerRecordPath, layerUploadPath, layerUploadsPath, type ImageRef } from './paths.js';

export type { ImageRef } from './paths.js';

export type ImageState = 'absent' | 'unfinished' | 'complete';

/** The uploaded layer: its digests, and the upload that holds the bytes until they are verified. */
export interface LayerRecord extends LayerDigests {
  upload: string;
}

/** What PUT checksum verified; its presence makes the image complete. */
export interface Completion {
  checksum: string;
  /** The tarsum the client sent as X-Docker-Checksum, echoed on GET json (not verified). */
  tarsum?: string;
}

const imageIdGrammar = /^[a-f0-9]{64}$/;

export function isImageId(value: string): boolean {
  return imageIdGrammar.test(value);
}

async function readIfPresent(driver: StorageDriver, path: string): Promise<Buffer | undefined> {
  try {
    return await driver.getContent(path);
  } catch (err) {
    if (isPathNotFound(err)) return undefined;
    throw err;
  }
}

async function readJson<T>(driver: StorageDriver, path: string): Promise<T | undefined> {
  const bytes = await readIfPresent(driver, path);
  return bytes ? (JSON.parse(bytes.toString('utf8')) as T) : undefined;
}

export class ImageStore {
  private readonly lock = new KeyedLock();

  constructor(
    private readonly driver: StorageDriver,
    private readonly blobs: BlobStore,
    private readonly layerLimits: LayerLimits,
  ) {}

  async state(ref: ImageRef): Promise<ImageState> {
    if (!(await this.exists(imageJsonPath(ref)))) return 'absent';
    return (await this.exists(completePath(ref))) ? 'complete' : 'unfinished';
  }

  json(ref: ImageRef): Promise<Buffer | undefined> {
    return readIfPresent(this.driver, imageJsonPath(ref));
  }

  ancestry(ref: ImageRef): Promise<string[] | undefined> {
    return readJson<string[]>(this.driver, ancestryPath(ref));
  }

  layer(ref: ImageRef): Promise<LayerRecord | undefined> {
    return readJson<LayerRecord>(this.driver, layerRecordPath(ref));
  }

  completion(ref: ImageRef): Promise<Completion | undefined> {
    return readJson<Completion>(this.driver, completePath(ref));
  }

  /**
   * Stores (or, for an unfinished image, replaces) the JSON. A replaced JSON invalidates the
   * payload checksum, so any earlier layer upload is dropped first.
   */
  async putJson(ref: ImageRef, json: Buffer, ancestry: string[]): Promise<void> {
    await this.dropLayer(ref);
    await this.driver.putContent(ancestryPath(ref), Buffer.from(JSON.stringify(ancestry)));
    // Last: the JSON's presence is what makes the image exist.
    await this.driver.putContent(imageJsonPath(ref), json);
  }

  /** Streams a layer into an upload of its own while hashing it; replaces any earlier upload. */
  async receiveLayer(ref: ImageRef, json: Buffer, source: Readable): Promise<LayerRecord> {
    const upload = randomUUID();
    const path = layerUploadPath(ref, upload);
    const writer = await this.driver.writer(path, false);
    const hasher = new LayerHasher(json, this.layerLimits);
    try {
      await Promise.all([pipeline(source, hasher), writer.append(hasher)]);
      await writer.commit();
    } catch (err) {
      await writer.cancel().catch(() => undefined);
      if (err instanceof LayerFormatError) throw new V1Error('LAYER_INVALID');
      if (err instanceof LayerLimitError) throw new V1Error('LAYER_LIMIT', { message: err.message });
      throw err;
    }
    const record: LayerRecord = { ...hasher.digests(), upload };
    await this.dropLayer(ref, upload);
    await this.driver.putContent(layerRecordPath(ref), Buffer.from(JSON.stringify(record)));
    return record;
  }

  /** Verified: the layer joins the blob store (once per content) and the image becomes complete. */
  async complete(ref: ImageRef, layer: LayerRecord, completion: Completion): Promise<void> {
    // adopt() keeps content already stored under that digest and discards the upload, so a retry
    // after a crash between these two steps finds the blob in place and simply writes the marker.
    await this.blobs.adopt(layerUploadPath(ref, layer.upload), layer.digest);
    await this.driver.putContent(completePath(ref), Buffer.from(JSON.stringify(completion)));
  }

  /** The layer bytes [start, end] of a complete image. */
  openLayer(layer: LayerRecord, start?: number, end?: number): Promise<Readable> {
    return this.blobs.open(layer.digest, start, end);
  }

  /** Runs one operation at a time per image id within this process (all copies of it). */
  exclusive<T>(id: string, run: () => Promise<T>): Promise<T> {
    return this.lock.run(id, run);
  }

  /** Forgets the layer record and every upload but `keep`. */
  private async dropLayer(ref: ImageRef, keep?: string): Promise<void> {
    if (keep === undefined) await deleteIfPresent(this.driver, layerRecordPath(ref));
    for (const path of await listIfPresent(this.driver, layerUploadsPath(ref))) {
      if (keep === undefined || !path.endsWith(`/${keep}`)) await deleteIfPresent(this.driver, path);
    }
  }

  private async exists(path: string): Promise<boolean> {
    try {
      await this.driver.stat(path);
      return true;
    } catch (err) {
      if (isPathNotFound(err)) return false;
      throw err;
    }
  }
}
