// Blobs as a repository sees them: content is stored once under blobs/ and becomes part of a
// repository through a link in its _layers directory. Reads go through the link, so a blob
// deleted from one repository stays available to the others that link it.
import type { Readable } from 'node:stream';
import { RegistryError } from '@wharf/shared';
import type { StorageDriver } from './driver/driver.js';
import { isPathNotFound } from './driver/driver.js';
import { claimContent } from './blob-claims.js';
import { deleteIfPresent, readLink, writeLink } from './links.js';
import { blobDataPath, layerLinkPath } from './paths.js';

export interface BlobInfo {
  digest: string;
  size: number;
}

export class BlobStore {
  /** HEAD claims being written now, by digest: concurrent HEADs of one blob share one write. */
  private readonly headClaims = new Map<string, Promise<void>>();

  constructor(private readonly driver: StorageDriver) {}

  /** Size of the stored content, or undefined when no blob has that digest. */
  async statContent(digest: string): Promise<BlobInfo | undefined> {
    try {
      const info = await this.driver.stat(blobDataPath(digest));
      return { digest, size: info.size };
    } catch (err) {
      if (isPathNotFound(err)) return undefined;
      throw err;
    }
  }

  /**
   * Content about to be referenced anew (linked, mounted, named by a manifest): claims it so a
   * running garbage collection keeps it (blob-claims.ts), then stats it.
   */
  async claim(digest: string): Promise<BlobInfo | undefined> {
    await claimContent(this.driver, digest);
    return this.statContent(digest);
  }

  /**
   * A HEAD's claim is a courtesy to the push that follows: if it cannot be written, the manifest
   * PUT claims again and reports a blob collected meanwhile as unknown, so the HEAD still answers.
   */
  private async claimOrStat(digest: string): Promise<BlobInfo | undefined> {
    // A claim that another HEAD is writing right now was started after that HEAD arrived and
    // finishes before our stat below, so it serves this request as well as its own.
    let pending = this.headClaims.get(digest);
    if (!pending) {
      pending = claimContent(this.driver, digest).finally(() => this.headClaims.delete(digest));
      this.headClaims.set(digest, pending);
    }
    await pending.catch(() => undefined);
    return this.statContent(digest);
  }

  async isLinked(name: string, digest: string): Promise<boolean> {
    return (await readLink(this.driver, layerLinkPath(name, digest))) === digest;
  }

  /**
   * The blob as the repository holds it; BLOB_UNKNOWN when not linked or content is gone. With
   * `claim`, for an existence check a push relies on to skip an upload (HEAD), the content is
   * claimed first, so a collection running now keeps it for the manifest that follows.
   */
  async stat(name: string, digest: string, claim = false): Promise<BlobInfo> {
    const linked = await this.isLinked(name, digest);
    const info = linked ? await (claim ? this.claimOrStat(digest) : this.statContent(digest)) : undefined;
    if (!info) throw new RegistryError('BLOB_UNKNOWN', { detail: { digest } });
    return info;
  }

  /** Streams bytes [start, end] (inclusive) of content already known to exist. */
  async open(digest: string, start?: number, end?: number): Promise<Readable> {
    try {
      return await this.driver.reader(blobDataPath(digest), {
        ...(start !== undefined ? { offset: start } : {}),
        ...(end !== undefined ? { end } : {}),
      });
    } catch (err) {
      if (isPathNotFound(err)) throw new RegistryError('BLOB_UNKNOWN', { detail: { digest } });
      throw err;
    }
  }

  async redirectURL(digest: string, method: 'GET' | 'HEAD'): Promise<string | undefined> {
    return this.driver.redirectURL?.(blobDataPath(digest), method);
  }

  async link(name: string, digest: string): Promise<void> {
    await writeLink(this.driver, layerLinkPath(name, digest), digest);
  }

  /** Removes the blob from one repository; the content stays for the others (and for GC). */
  async unlink(name: string, digest: string): Promise<void> {
    if (!(await this.isLinked(name, digest))) throw new RegistryError('BLOB_UNKNOWN', { detail: { digest } });
    const linkPath = layerLinkPath(name, digest);
    await deleteIfPresent(this.driver, linkPath.slice(0, linkPath.lastIndexOf('/')));
  }

  /** Cross-repository mount: links a blob of `from` into `name`; false when `from` lacks it. */
  async mount(from: string, name: string, digest: string): Promise<BlobInfo | undefined> {
    if (!(await this.isLinked(from, digest))) return undefined;
    const info = await this.claim(digest);
    if (!info) return undefined;
    await this.link(name, digest);
    return info;
  }

  /** Moves verified content into place; if the same content is already there, keeps that one. */
  async adopt(sourcePath: string, digest: string): Promise<void> {
    if (await this.claim(digest)) {
      await deleteIfPresent(this.driver, sourcePath);
      return;
    }
    await this.driver.move(sourcePath, blobDataPath(digest));
  }

  /** Stores small content whole (manifests), atomically. */
  async putSmall(digest: string, content: Buffer): Promise<void> {
    if (await this.claim(digest)) return;
    await this.driver.putContent(blobDataPath(digest), content);
  }

  async getSmall(digest: string): Promise<Buffer | undefined> {
    try {
      return await this.driver.getContent(blobDataPath(digest));
    } catch (err) {
      if (isPathNotFound(err)) return undefined;
      throw err;
    }
  }
}
