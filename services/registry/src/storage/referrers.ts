// The referrers index (OCI distribution spec, "Listing Referrers"): every manifest pushed with a
// `subject` gets a link under _referrers/<subject>/, so listing needs no scan of the repository.
import { mediaTypes, type Descriptor, type ImageIndex } from '@wharf/shared';
import type { StorageDriver } from './driver/driver.js';
import { baseName, deleteIfPresent, listIfPresent, readLink } from './links.js';
import { referrerLinkPath, referrersPath } from './paths.js';

export interface ReferrerSource {
  describe(name: string, digest: string): Promise<{ mediaType: string; content: Buffer; parsed: { artifactType?: string; annotations?: Record<string, string> } } | undefined>;
}

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
    const descriptors: Descriptor[] = [];
    for (const digest of await this.digests(name, subject)) {
      const manifest = await source.describe(name, digest);
      if (!manifest) continue;
      const descriptor: Descriptor = { mediaType: manifest.mediaType, digest, size: manifest.content.length };
      if (manifest.parsed.artifactType) descriptor.artifactType = manifest.parsed.artifactType;
      if (manifest.parsed.annotations) descriptor.annotations = manifest.parsed.annotations;
      if (artifactType === undefined || descriptor.artifactType === artifactType) descriptors.push(descriptor);
    }
    return { schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests: descriptors };
  }
}
