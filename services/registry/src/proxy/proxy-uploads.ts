// Upload sessions that refuse to start for a proxied name: a push to a pull-through cache is
// refused at its first request (POST …/blobs/uploads/), naming the upstream. A decorator over
// whatever upload sessions the registry has (counted by the metrics, for instance).
import type { Readable } from 'node:stream';
import type { BlobInfo } from '../storage/blob-store.js';
import type { Uploads } from '../storage/registry-storage.js';
import type { ChunkRange, UploadStatus } from '../storage/upload-session.js';
import { refuseWrite } from './refusal.js';
import type { UpstreamRouter } from './routing.js';

export class LocalOnlyUploads implements Uploads {
  constructor(
    private readonly inner: Uploads,
    private readonly router: UpstreamRouter,
  ) {}

  async start(name: string): Promise<UploadStatus> {
    const route = await this.router.route(name);
    if (route) throw refuseWrite(name, route);
    return this.inner.start(name);
  }

  status(name: string, uuid: string): Promise<UploadStatus> {
    return this.inner.status(name, uuid);
  }

  append(name: string, uuid: string, source: Readable, range?: ChunkRange): Promise<UploadStatus> {
    return this.inner.append(name, uuid, source, range);
  }

  commit(name: string, uuid: string, digest: string, finalChunk?: Readable): Promise<BlobInfo> {
    return this.inner.commit(name, uuid, digest, finalChunk);
  }

  cancel(name: string, uuid: string): Promise<void> {
    return this.inner.cancel(name, uuid);
  }
}
