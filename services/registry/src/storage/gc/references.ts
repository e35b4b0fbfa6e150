// What a stored manifest references, read leniently: the collector must follow every digest a
// manifest names whatever its media type or age (OCI and Docker manifests and indexes, artifact
// manifests' `blobs`, schema 1's `fsLayers`), not only what today's validation would accept.
import { isDigest } from '@wharf/shared';

export interface ManifestReferences {
  /** Config, layers and other blobs: marked, never read. */
  blobs: string[];
  /** Child manifests of an index: marked and followed. */
  manifests: string[];
  /** The manifest this one refers to (OCI `subject`), if any. */
  subject?: string;
}

/** Thrown when stored manifest bytes are not JSON: the collector cannot know what they hold. */
export class UnreadableManifestError extends Error {
  constructor(readonly digest: string) {
    super(`stored manifest ${digest} is not valid JSON; garbage collection cannot tell what it references`);
    this.name = 'UnreadableManifestError';
  }
}

function digestsOf(list: unknown, field: 'digest' | 'blobSum'): string[] {
  if (!Array.isArray(list)) return [];
  return list
    .map((entry: unknown) => (entry && typeof entry === 'object' ? (entry as Record<string, unknown>)[field] : undefined))
    .filter((d): d is string => typeof d === 'string' && isDigest(d));
}

function digestOfDescriptor(value: unknown): string | undefined {
  const digest = value && typeof value === 'object' ? (value as Record<string, unknown>).digest : undefined;
  return typeof digest === 'string' && isDigest(digest) ? digest : undefined;
}

export function referencesOf(digest: string, content: Buffer): ManifestReferences {
  let json: unknown;
  try {
    json = JSON.parse(content.toString('utf8'));
  } catch {
    throw new UnreadableManifestError(digest);
  }
  if (!json || typeof json !== 'object') throw new UnreadableManifestError(digest);
  const m = json as Record<string, unknown>;
  const config = digestOfDescriptor(m.config);
  const refs: ManifestReferences = {
    blobs: [...(config ? [config] : []), ...digestsOf(m.layers, 'digest'), ...digestsOf(m.blobs, 'digest'), ...digestsOf(m.fsLayers, 'blobSum')],
    manifests: digestsOf(m.manifests, 'digest'),
  };
  const subject = digestOfDescriptor(m.subject);
  if (subject) refs.subject = subject;
  return refs;
}

/** Largest blob the sweep reads to tell a manifest from a layer or config (the manifest limit's default). */
export const manifestSniffLimit = 4 * 1024 * 1024;

/** Whether blob bytes are a manifest or index (for the report only: never decides a deletion). */
export function looksLikeManifest(content: Buffer): boolean {
  try {
    const json = JSON.parse(content.toString('utf8')) as Record<string, unknown> | null;
    return !!json && typeof json === 'object' && typeof json.schemaVersion === 'number' && (Array.isArray(json.layers) || Array.isArray(json.manifests) || Array.isArray(json.fsLayers) || Array.isArray(json.blobs));
  } catch {
    return false;
  }
}
