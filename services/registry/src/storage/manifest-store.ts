// Manifests of a repository: the bytes are stored as a blob, exactly as received; a revision link
// makes a digest part of the repository, and tags point at revisions. Content is immutable, so a
// cache keyed by digest spares re-reading it; links are always read fresh. The cache keeps one
// compact form, the stored bytes and their media type, within a byte budget: a parsed copy would
// more than double what a large manifest holds, and serving a GET needs only the bytes.
import {
  ByteLru,
  stringBytes,
  digestOf,
  distinct,
  mapBounded,
  isIndexMediaType,
  ManifestValidationError,
  mediaTypes,
  parseDigest,
  parseManifest,
  RegistryError,
  type ParsedManifest,
} from '@wharf/shared';
import type { StorageDriver } from './driver/driver.js';
import type { BlobStore } from './blob-store.js';
import { readLink, writeLink } from './links.js';
import { manifestRevisionLinkPath, referrerLinkPath } from './paths.js';
import type { TagStore } from './tag-store.js';
import type { ReferrerIndex } from './referrers.js';
import type { ChangeOrigin } from './registry-storage.js';

export interface StoredManifest {
  digest: string;
  mediaType: string;
  content: Buffer;
  /** Parsed on first use (a GET never needs it). */
  readonly parsed: ParsedManifest;
}

export interface ManifestCacheOptions {
  /** Bytes of manifests kept at most. */
  maxBytes: number;
  /** Manifests kept at most. */
  maxEntries: number;
}

export const defaultManifestCache: ManifestCacheOptions = { maxBytes: 64 * 1024 * 1024, maxEntries: 2048 };

interface CachedManifest {
  mediaType: string;
  content: Buffer;
}

export interface PutManifestResult {
  digest: string;
  subject?: string;
}

/**
 * Descriptors one manifest may list by default (storage.maxManifestReferences): real images have
 * at most a few hundred layers and indexes a few dozen platforms, while artifacts that carry
 * thousands of files still fit; 25,000 copies of one layer, which fit in 4 MiB, do not.
 */
export const defaultMaxManifestReferences = 10_000;
/** Reference checks (a link read and a claim write each) in flight at once for one PUT. */
const referenceCheckConcurrency = 8;

/** Stored bytes, parsed: their mediaType field decides, or the shape for OCI without one. */
function parseStored(content: Buffer): ParsedManifest {
  let declared: string | undefined;
  try {
    const json = JSON.parse(content.toString('utf8')) as { mediaType?: unknown; manifests?: unknown };
    if (typeof json.mediaType === 'string') declared = json.mediaType;
    else declared = Array.isArray(json.manifests) ? mediaTypes.ociIndex : mediaTypes.ociManifest;
  } catch {
    throw new RegistryError('MANIFEST_INVALID', { message: 'stored manifest is not valid JSON' });
  }
  try {
    return parseManifest(content, declared);
  } catch {
    // Stored content predates our validation (e.g. written by another registry): serve it as is.
    return { mediaType: declared, blobs: [], manifests: [] };
  }
}

/** A stored manifest whose parsed form is computed when first asked for (then kept with it). */
function storedManifest(digest: string, { mediaType, content }: CachedManifest, parsedNow?: ParsedManifest): StoredManifest {
  let parsed = parsedNow;
  return {
    digest,
    mediaType,
    content,
    get parsed() {
      return (parsed ??= parseStored(content));
    },
  };
}

export class ManifestStore {
  private readonly cache: ByteLru<CachedManifest>;

  constructor(
    private readonly driver: StorageDriver,
    private readonly blobs: BlobStore,
    private readonly tags: TagStore,
    private readonly referrers: ReferrerIndex,
    private readonly maxReferences = defaultMaxManifestReferences,
    cache: ManifestCacheOptions = defaultManifestCache,
  ) {
    this.cache = new ByteLru({ ...cache, sizeOf: (m) => m.content.length + stringBytes(m.mediaType) });
  }

  /** Bytes the manifest cache accounts for now (within its maxBytes). */
  get cachedBytes(): number {
    return this.cache.bytes;
  }

  get cachedEntries(): number {
    return this.cache.size;
  }

  async exists(name: string, digest: string): Promise<boolean> {
    return (await readLink(this.driver, manifestRevisionLinkPath(name, digest))) === digest;
  }

  /** Resolves a tag or digest reference to a digest; MANIFEST_UNKNOWN when there is none. */
  async resolve(name: string, reference: string): Promise<string> {
    const digest = reference.includes(':') ? reference : await this.tags.resolve(name, reference);
    if (!digest || !(await this.exists(name, digest))) {
      throw new RegistryError('MANIFEST_UNKNOWN', { detail: { name, reference } });
    }
    return digest;
  }

  async get(name: string, reference: string): Promise<StoredManifest> {
    const digest = await this.resolve(name, reference);
    return this.load(digest, name, reference);
  }

  private async load(digest: string, name: string, reference: string): Promise<StoredManifest> {
    const cached = this.cache.get(digest);
    if (cached) return storedManifest(digest, cached);
    const content = await this.blobs.getSmall(digest);
    if (!content) throw new RegistryError('MANIFEST_UNKNOWN', { detail: { name, reference } });
    const parsed = parseStored(content);
    const entry: CachedManifest = { mediaType: parsed.mediaType, content };
    this.cache.set(digest, entry);
    return storedManifest(digest, entry, parsed);
  }

  /** Validates and stores a manifest under a tag or its digest. */
  async put(name: string, reference: string, content: Buffer, contentType: string | undefined, origin?: ChangeOrigin): Promise<PutManifestResult> {
    let parsed: ParsedManifest;
    try {
      parsed = parseManifest(content, contentType);
    } catch (err) {
      if (err instanceof ManifestValidationError) throw new RegistryError('MANIFEST_INVALID', { message: err.message });
      throw err;
    }
    // GET serves the media type read back from the stored bytes, so the bytes must say what was
    // pushed: an OCI manifest or index may omit mediaType, but a docker manifest or manifest list
    // without one would later be served as OCI (Distribution rejects those too).
    if (parseStored(content).mediaType !== parsed.mediaType) {
      throw new RegistryError('MANIFEST_INVALID', { message: `a ${parsed.mediaType} manifest must declare its mediaType` });
    }
    const byDigest = reference.includes(':');
    const digest = digestOf(content, byDigest ? parseDigest(reference).algorithm : 'sha256');
    if (byDigest && digest !== reference) {
      throw new RegistryError('DIGEST_INVALID', { message: 'manifest digest does not match the reference', detail: { expected: reference, actual: digest } });
    }
    this.checkReferenceCount(parsed);
    if (origin?.upstream === undefined) await this.checkReferences(name, parsed);
    await this.blobs.putSmall(digest, content);
    await writeLink(this.driver, manifestRevisionLinkPath(name, digest), digest);
    if (parsed.subject) await writeLink(this.driver, referrerLinkPath(name, parsed.subject.digest, digest), digest);
    if (!byDigest) await this.tags.tag(name, reference, digest);
    const result: PutManifestResult = { digest };
    if (parsed.subject) result.subject = parsed.subject.digest;
    return result;
  }

  /** Refuses a manifest listing more than the limit, before any storage work is done for it. */
  private checkReferenceCount(parsed: ParsedManifest): void {
    const references = parsed.blobs.length + parsed.manifests.length;
    if (references <= this.maxReferences) return;
    throw new RegistryError('MANIFEST_INVALID', {
      message: `manifest lists ${references} references; at most ${this.maxReferences} are accepted`,
      detail: { references, limit: this.maxReferences },
    });
  }

  /**
   * Each distinct reference once, a few at a time: a digest listed 25,000 times is one check, and
   * 10,000 distinct ones never hold more than a few files or connections at once.
   */
  private async checkReferences(name: string, parsed: ParsedManifest): Promise<void> {
    const checks = [
      ...parsed.blobs.map((d) => ({ digest: d.digest, present: () => this.blobs.isLinked(name, d.digest) })),
      ...parsed.manifests.map((d) => ({ digest: d.digest, present: () => this.exists(name, d.digest) })),
    ];
    const found = await mapBounded(distinct(checks, (c) => c.digest), referenceCheckConcurrency, async (c) => {
      // Claimed, not just looked up: a garbage collection running now must not take what this
      // manifest is about to reference (blob-claims.ts).
      const known = (await c.present()) && (await this.blobs.claim(c.digest)) !== undefined;
      return { digest: c.digest, known };
    });
    const missing = found.filter((f) => !f.known).map((f) => f.digest);
    if (missing.length) {
      const kind = isIndexMediaType(parsed.mediaType) ? 'manifest' : 'blob';
      throw new RegistryError('MANIFEST_BLOB_UNKNOWN', {
        message: `manifest references ${kind}s unknown to the repository: ${missing.join(', ')}`,
        detail: { digests: missing },
      });
    }
  }

  /** Deletes a revision and every tag pointing at it; the bytes stay for garbage collection. */
  async delete(name: string, digest: string): Promise<StoredManifest> {
    if (!(await this.exists(name, digest))) throw new RegistryError('MANIFEST_UNKNOWN', { detail: { name, digest } });
    const stored = await this.load(digest, name, digest);
    await this.tags.untagDigest(name, digest);
    if (stored.parsed.subject) await this.referrers.remove(name, stored.parsed.subject.digest, digest);
    const link = manifestRevisionLinkPath(name, digest);
    await this.driver.delete(link.slice(0, link.lastIndexOf('/')));
    return stored;
  }

  /** Descriptor data the referrers API lists for one manifest of the repository. */
  async describe(name: string, digest: string): Promise<StoredManifest | undefined> {
    if (!(await this.exists(name, digest))) return undefined;
    return this.load(digest, name, digest);
  }
}
