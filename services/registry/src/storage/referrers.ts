// The referrers index (OCI distribution spec, "Listing Referrers"): every manifest pushed with a
// `subject` gets a link under _referrers/<subject>/, so listing needs no scan of the repository.
import { mapBounded, mediaTypes, type Descriptor, type ImageIndex } from '@wharf/shared';
import type { StorageDriver } from './driver/driver.js';
import { baseName, deleteIfPresent, listIfPresent, readLink } from './links.js';
import { referrerLinkPath, referrersPath } from './paths.js';

export interface ReferrerSource {
  describe(name: string, digest: string): Promise<{ mediaType: string; content: Buffer; parsed: { artifactType?: string; annotations?: Record<string, string> } } | undefined>;
}

/** Referrer manifests read at once for one page: a subject with thousands stays a few at a time. */
const describeConcurrency = 8;

export class ReferrerIndex {
  constructor(private readonly driver: StorageDriver) {}

  async remove(name: string, subject: string, referrer: string): Promise<void> {
    const link = referrerLinkPath(name, subject, referrer);
    await deleteIfPresent(this.driver, link.slice(0, link.lastIndexOf('/')));
  }

  /** Digests of the manifests that name `subject`. */
  async digests(name: string, subject: string): Promise<string[]> {
    const found: string[] = [];
    for (const algDir of await listIfPresent(this.driver, referrersPath(name, subject))) {
      for (const hexDir of await listIfPresent(this.driver, algDir)) {
        const digest = await readLink(this.driver, `${hexDir}/link`);
        if (digest && digest === `${baseName(algDir)}:${baseName(hexDir)}`) found.push(digest);
      }
    }
    return found.sort();
  }

  /**
   * One page of the referrers response: an image index of descriptors (filtered by artifactType
   * if given), digests after `after` in order, at most `maxBytes` of JSON but never empty while
   * any are left. A subject may have thousands of referrers each annotated up to a manifest's
   * size: one answer holding them all would be their count times that, built in memory.
   */
  async list(name: string, subject: string, source: ReferrerSource, page: ReferrerPageOptions): Promise<ReferrerPage> {
    const digests = (await this.digests(name, subject)).filter((digest) => page.after === undefined || digest > page.after);
    const index: ImageIndex = { schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests: [] };
    let bytes = Buffer.byteLength(JSON.stringify(index));
    for (let start = 0; start < digests.length; start += describeConcurrency) {
      const described = await mapBounded(digests.slice(start, start + describeConcurrency), describeConcurrency, (digest) => describe(source, name, digest));
      for (const descriptor of described) {
        if (!descriptor || (page.artifactType !== undefined && descriptor.artifactType !== page.artifactType)) continue;
        // The descriptor and the comma before it.
        const size = Buffer.byteLength(JSON.stringify(descriptor)) + 1;
        if (index.manifests.length > 0 && bytes + size > page.maxBytes) return { index, next: index.manifests.at(-1)!.digest };
        index.manifests.push(descriptor);
        bytes += size;
      }
    }
    return { index };
  }
}

export interface ReferrerPageOptions {
  artifactType?: string | undefined;
  /** The last digest of the previous page. */
  after?: string | undefined;
  /** The page's JSON at most (one descriptor larger than this is still listed, alone). */
  maxBytes: number;
}

export interface ReferrerPage {
  index: ImageIndex;
  /** When more referrers follow: the digest the next page starts after. */
  next?: string;
}

async function describe(source: ReferrerSource, name: string, digest: string): Promise<Descriptor | undefined> {
  const manifest = await source.describe(name, digest);
  if (!manifest) return undefined;
  const descriptor: Descriptor = { mediaType: manifest.mediaType, digest, size: manifest.content.length };
  if (manifest.parsed.artifactType) descriptor.artifactType = manifest.parsed.artifactType;
  if (manifest.parsed.annotations) descriptor.annotations = manifest.parsed.annotations;
  return descriptor;
}
