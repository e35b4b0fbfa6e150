// The Azure Blob driver: one block blob per storage path below an optional root prefix in one
// container. Directories are virtual (a name prefix ending in '/'), as in Distribution's azure
// driver, so the layout is Distribution's.
//
// Writers stage blocks and commit them with commitBlockList. The committed block list is the
// writer's state, kept in Azure: a writer opened with append=true after a restart (or on another
// instance) reads it back with getBlockList and appends after it. close() commits, so stat()
// always reports what a resumed writer will continue from (the upload session's status relies on
// that); blocks staged by an interrupted append are never committed and Azure drops them at the
// next commit. Reads, writes and moves stream: at most `uploadConcurrency` blocks of `blockSize`
// bytes are held at a time.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BlobServiceClient,
  RestError,
  StorageSharedKeyCredential,
  type BlockBlobClient,
  type ContainerClient,
} from '@azure/storage-blob';
import type { FileInfo, FileWriter, ReadOptions, StorageDriver } from '../driver.js';
import { StorageDriverError } from '../driver.js';
import { stageStream, type StagedBlock } from './block-stager.js';

export interface AzureParams {
  /** A full connection string (Azurite's or an account's); wins over the fields below. */
  connectionString?: string | undefined;
  accountName?: string | undefined;
  accountKey?: string | undefined;
  /** The blob service URL; default https://<accountName>.blob.core.windows.net. */
  endpoint?: string | undefined;
  container: string;
  /** A prefix inside the container under which the registry keeps everything. */
  rootDirectory: string;
  createContainer: boolean;
  blockSize: number;
  uploadConcurrency: number;
  /** How long a server-side copy may stay pending before move gives up. */
  copyTimeoutMs: number;
}

const name = 'azure';
/** Parallel deletes when a directory is removed. */
const deleteConcurrency = 16;
const listPageSize = 5000;
const copyPollMs = 200;

function isNotFound(err: unknown): boolean {
  return err instanceof RestError && err.statusCode === 404;
}

function notFound(path: string): StorageDriverError {
  return new StorageDriverError('PathNotFound', path, name);
}

/** Same-length block ids (Azure requires it within a blob); random, so sessions never collide. */
function newBlockId(): string {
  return randomBytes(24).toString('base64');
}

export function serviceClient(params: AzureParams): BlobServiceClient {
  if (params.connectionString) return BlobServiceClient.fromConnectionString(params.connectionString);
  if (!params.accountName || !params.accountKey) {
    throw new Error('azure: needs connectionString, or accountName and accountKey');
  }
  const endpoint = params.endpoint ?? `https://${params.accountName}.blob.core.windows.net`;
  return new BlobServiceClient(endpoint, new StorageSharedKeyCredential(params.accountName, params.accountKey));
}

export class AzureDriver implements StorageDriver {
  readonly name = name;
  private readonly prefix: string;

  constructor(
    private readonly container: ContainerClient,
    private readonly params: AzureParams,
  ) {
    const root = params.rootDirectory.replace(/^\/+|\/+$/g, '');
    this.prefix = root ? `${root}/` : '';
  }

  /** The blob name of a storage path ("/a/b" → "<root>/a/b"). */
  private blobName(path: string): string {
    return `${this.prefix}${path.slice(1)}`;
  }

  /** The name prefix of a directory's children ("/" → "<root>/", "/a" → "<root>/a/"). */
  private dirPrefix(path: string): string {
    return path === '/' ? this.prefix : `${this.blobName(path)}/`;
  }

  private pathOf(blobName: string): string {
    return `/${blobName.slice(this.prefix.length).replace(/\/$/, '')}`;
  }

  private blob(path: string): BlockBlobClient {
    return this.container.getBlockBlobClient(this.blobName(path));
  }

  async getContent(path: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.reader(path)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  async putContent(path: string, content: Uint8Array): Promise<void> {
    // One Put Blob: atomic, so readers see the old or the new content.
    await this.blob(path).upload(Buffer.from(content), content.byteLength);
  }

  async reader(path: string, options: ReadOptions = {}): Promise<Readable> {
    const offset = options.offset ?? 0;
    const count = options.end === undefined ? undefined : options.end - offset + 1;
    const blob = this.blob(path);
    try {
      const response = await blob.download(offset, count, { maxRetryRequests: 3 });
      // In Node the body is a Readable already (the SDK's retrying stream over the response).
      const body = response.readableStreamBody as Readable | undefined;
      return body ?? Readable.from([]);
    } catch (err) {
      if (isNotFound(err)) throw notFound(path);
      // 416: the range starts at or beyond the end; at exactly the end it is an empty read.
      if (err instanceof RestError && err.statusCode === 416) {
        const size = (await this.stat(path)).size;
        if (offset === size) return Readable.from([]);
        throw new StorageDriverError('InvalidOffset', path, name);
      }
      throw err;
    }
  }

  async writer(path: string, append: boolean): Promise<FileWriter> {
    const blob = this.blob(path);
    let blocks: StagedBlock[] = [];
    let dirty = false;
    if (!append) {
      // Truncate now, as the filesystem does: an empty blob, and every stale staged block dropped.
      await blob.commitBlockList([]);
    } else {
      const resumed = await this.committedBlocks(path, blob);
      blocks = resumed.blocks;
      dirty = resumed.restaged;
    }
    const { blockSize, uploadConcurrency } = this.params;
    const total = (): number => blocks.reduce((sum, b) => sum + b.size, 0);
    const commit = async (): Promise<void> => {
      await blob.commitBlockList(blocks.map((b) => b.id));
      dirty = false;
    };
    return {
      get size() {
        return total();
      },
      async append(source: Readable): Promise<number> {
        const before = total();
        try {
          await stageStream(source, blob, { blockSize, concurrency: uploadConcurrency, newBlockId }, (block) => {
            blocks.push(block);
            dirty = true;
          });
        } catch (err) {
          throw isNotFound(err) ? notFound(path) : err;
        }
        return total() - before;
      },
      async close() {
        if (dirty) await commit();
      },
      commit,
      cancel: async () => {
        // Committing nothing drops every staged block; deleting then removes the blob itself.
        await blob.commitBlockList([]);
        await blob.deleteIfExists();
        blocks = [];
        dirty = false;
      },
    };
  }

  /**
   * The committed blocks a resumed writer continues after. A blob written whole (putContent, or
   * another program) has no blocks: its bytes are staged again as blocks, streamed.
   */
  private async committedBlocks(path: string, blob: BlockBlobClient): Promise<{ blocks: StagedBlock[]; restaged: boolean }> {
    let list;
    try {
      list = await blob.getBlockList('committed');
    } catch (err) {
      if (isNotFound(err)) return { blocks: [], restaged: false };
      throw err;
    }
    const blocks = (list.committedBlocks ?? []).map((b) => ({ id: b.name, size: b.size }));
    const listed = blocks.reduce((sum, b) => sum + b.size, 0);
    if (listed === (list.blobContentLength ?? 0)) return { blocks, restaged: false };
    const restaged: StagedBlock[] = [];
    const { blockSize, uploadConcurrency } = this.params;
    await stageStream(await this.reader(path), blob, { blockSize, concurrency: uploadConcurrency, newBlockId }, (b) => restaged.push(b));
    return { blocks: restaged, restaged: true };
  }

  async stat(path: string): Promise<FileInfo> {
    if (path !== '/') {
      try {
        const props = await this.blob(path).getProperties();
        return { path, size: props.contentLength ?? 0, modTime: props.lastModified ?? new Date(), isDirectory: false };
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    const first = await this.container
      .listBlobsFlat({ prefix: this.dirPrefix(path) })
      .byPage({ maxPageSize: 1 })
      .next();
    const item = first.done ? undefined : first.value.segment.blobItems[0];
    if (!item && path !== '/') throw notFound(path);
    return { path, size: 0, modTime: item?.properties.lastModified ?? new Date(), isDirectory: true };
  }

  async list(path: string): Promise<string[]> {
    const entries: string[] = [];
    const pages = this.container
      .listBlobsByHierarchy('/', { prefix: this.dirPrefix(path) })
      .byPage({ maxPageSize: listPageSize });
    for await (const page of pages) {
      for (const p of page.segment.blobPrefixes ?? []) entries.push(this.pathOf(p.name));
      for (const b of page.segment.blobItems) entries.push(this.pathOf(b.name));
    }
    if (entries.length === 0 && path !== '/') throw notFound(path);
    return entries;
  }

  async move(source: string, destination: string): Promise<void> {
    const from = this.blob(source);
    const to = this.blob(destination);
    try {
      await from.getProperties();
    } catch (err) {
      throw isNotFound(err) ? notFound(source) : err;
    }
    // Server-side copy (same account: authorised by our own credential), then delete the source.
    // Within one account the copy usually completes at once; polling is bounded all the same.
    let poller;
    try {
      poller = await to.beginCopyFromURL(from.url, { intervalInMs: copyPollMs });
    } catch (err) {
      throw isNotFound(err) ? notFound(source) : err;
    }
    const deadline = Date.now() + this.params.copyTimeoutMs;
    while (!poller.isDone()) {
      if (Date.now() > deadline) {
        await poller.cancelOperation().catch(() => undefined);
        throw new Error(`azure: copy of ${source} to ${destination} still pending after ${this.params.copyTimeoutMs} ms`);
      }
      await sleep(copyPollMs);
      await poller.poll();
    }
    const status = poller.getResult()?.copyStatus;
    if (status !== 'success') throw new Error(`azure: copy of ${source} to ${destination} ended ${status ?? 'without a status'}`);
    await from.deleteIfExists();
  }

  async delete(path: string): Promise<void> {
    let found = (await this.blob(path).deleteIfExists()).succeeded;
    const names: string[] = [];
    const pages = this.container.listBlobsFlat({ prefix: this.dirPrefix(path) }).byPage({ maxPageSize: listPageSize });
    for await (const page of pages) {
      for (const b of page.segment.blobItems) names.push(b.name);
      if (names.length >= listPageSize) await this.deleteBlobs(names.splice(0));
      found ||= page.segment.blobItems.length > 0;
    }
    await this.deleteBlobs(names);
    if (!found) throw notFound(path);
  }

  private async deleteBlobs(names: string[]): Promise<void> {
    for (let i = 0; i < names.length; i += deleteConcurrency) {
      await Promise.all(names.slice(i, i + deleteConcurrency).map((n) => this.container.getBlobClient(n).deleteIfExists()));
    }
  }
}

export async function createAzureDriver(params: AzureParams): Promise<AzureDriver> {
  const container = serviceClient(params).getContainerClient(params.container);
  if (params.createContainer) await container.createIfNotExists();
  return new AzureDriver(container, params);
}
