// The referrers index (OCI distribution spec, "Listing Referrers"): every manifest pushed with a
// `subject` gets a link under _referrers/<subject>/, so listing needs no scan of the repository.
import { mapBounded, mediaTypes, type Descriptor, type ImageIndex } from '@wharf/shared';
import type { StorageDriver } from './driver/driver.js';
import { baseName, deleteIfPresent, listIfPresent, readLink } from './links.js';
import { referrerLinkPath, referrersPath } from './paths.js';

export interface ReferrerSource {
  describe(name: string, digest: string): Promise<{ mediaType: string; content: Buffer; parsed: { artifactType?: string; annotations?: Record<string, string> } } | undefined>;
}

/** Referrer manifests read at once for one listing: a subject with thousands stays a few at a time. */
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

  /** The referrers response: an image index of descriptors, filtered by artifactType if given. */
  async list(name: string, subject: string, source: ReferrerSource, artifactType?: string): Promise<ImageIndex> {
    const described = await mapBounded(await this.digests(name, subject), describeConcurrency, async (digest) => {
      const manifest = await source.describe(name, digest);
      if (!manifest) return undefined;
      const descriptor: Descriptor = { mediaType: manifest.mediaType, digest, size: manifest.content.length };
      if (manifest.parsed.artifactType) descriptor.artifactType = manifest.parsed.artifactType;
      if (manifest.parsed.annotations) descriptor.annotations = manifest.parsed.annotations;
      return descriptor;
    });
    const descriptors = described.filter((d): d is Descriptor => d !== undefined && (artifactType === undefined || d.artifactType === artifactType));
    return { schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests: descriptors };
  }
}
