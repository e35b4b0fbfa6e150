// Upload sessions that refuse to start for a proxied name: a push to a pull-through cache is
// refused at its first request (POST …/blobs/uploads/), naming the upstream.
import type { StorageDriver } from '../storage/driver/driver.js';
import type { BlobStore } from '../storage/blob-store.js';
import { UploadSessions, type UploadStatus } from '../storage/upload-session.js';
import { refuseWrite } from './refusal.js';
import type { UpstreamRouter } from './routing.js';

export class LocalOnlyUploads extends UploadSessions {
  constructor(
    driver: StorageDriver,
    blobs: BlobStore,
    private readonly router: UpstreamRouter,
  ) {
    super(driver, blobs);
  }

  override async start(name: string): Promise<UploadStatus> {
    const route = await this.router.route(name);
    if (route) throw refuseWrite(name, route);
    return super.start(name);
  }
}
