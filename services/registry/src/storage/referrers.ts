// The referrers index (OCI distribution spec, "Listing Referrers"): every manifest pushed with a
// `subject` gets a link under _referrers/<subject>/, so listing needs no scan of the repository.
import { isDigest, mapBounded, mediaTypes, type Descriptor, type ImageIndex } from '@wharf/shared';
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
    for (const candidate of await this.candidates(name, subject)) if (await this.linked(name, subject, candidate)) found.push(candidate);
    return found;
  }

  /** The digests the index's directories name, sorted, none of their links read yet. */
  private async candidates(name: string, subject: string): Promise<string[]> {
    const names: string[] = [];
    for (const algDir of await listIfPresent(this.driver, referrersPath(name, subject))) {
      for (const hexDir of await listIfPresent(this.driver, algDir)) names.push(`${baseName(algDir)}:${baseName(hexDir)}`);
    }
    // A stray directory names no digest: skipped, as a link naming another digest is.
    return names.filter(isDigest).sort();
  }

  /** Whether the referrer's link is there and names it (a directory alone is a partial write). */
  private async linked(name: string, subject: string, digest: string): Promise<boolean> {
    return (await readLink(this.driver, referrerLinkPath(name, subject, digest))) === digest;
  }

  /**
   * One page of the referrers response: an image index of descriptors (filtered by artifactType
   * if given), digests after `after` in order, at most `maxBytes` of JSON but never empty while
   * any are left. A subject may have thousands of referrers each annotated up to a manifest's
   * size: one answer holding them all would be their count times that, built in memory.
   */
  async list(name: string, subject: string, source: ReferrerSource, page: ReferrerPageOptions): Promise<ReferrerPage> {
    // Links are read with their manifests, a batch at a time: a page reads about its own.
    const digests = (await this.candidates(name, subject)).filter((digest) => page.after === undefined || digest > page.after);
    const index: ImageIndex = { schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests: [] };
    let bytes = Buffer.byteLength(JSON.stringify(index));
    for (let start = 0; start < digests.length; start += describeConcurrency) {
      const described = await mapBounded(digests.slice(start, start + describeConcurrency), describeConcurrency, async (digest) => ((await this.linked(name, subject, digest)) ? describe(source, name, digest) : undefined));
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
