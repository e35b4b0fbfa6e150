// Manifest, image index and descriptor types (OCI image spec; Docker image manifest v2 schema 2)
// and the one parse-and-validate step a registry applies before storing a manifest.
import { isDigest } from './digest.js';
import { baseMediaType, isForeignLayerMediaType, isIndexMediaType, isManifestMediaType, isMediaType, mediaTypes } from './media-types.js';

export interface Platform {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
  features?: string[];
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  data?: string;
  artifactType?: string;
  platform?: Platform;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** What a registry needs to know of a manifest it is about to store. */
export interface ParsedManifest {
  mediaType: string;
  /** Blobs the manifest needs (config and layers) — empty for an index. */
  blobs: Descriptor[];
  /** Child manifests (for an index) — empty for an image manifest. */
  manifests: Descriptor[];
  subject?: Descriptor;
  /** artifactType, or for an image manifest without one, its config media type (OCI referrers rule). */
  artifactType?: string;
  annotations?: Record<string, string>;
}

export class ManifestValidationError extends Error {}

function fail(message: string): never {
  throw new ManifestValidationError(message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkAnnotations(value: unknown, where: string): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    fail(`${where}.annotations must be a map of strings`);
  }
  return value as Record<string, string>;
}

/**
 * The longest platform value (architecture, os, variant, os.version) a manifest may carry. The
 * specs name GOOS/GOARCH-style values (a few characters, Windows build numbers a few more); the
 * bound keeps the values a notification event copies small.
 */
export const maxPlatformFieldLength = 128;

/** A media type as RFC 6838 writes one (the OCI descriptor requires it). */
function checkMediaType(value: unknown, where: string): void {
  if (typeof value !== 'string' || !isMediaType(value)) {
    const shown = typeof value === 'string' && value.length > 80 ? `${value.slice(0, 80)}… (${value.length} characters)` : value;
    fail(`${where} must be a media type of the form type/subtype, each at most 127 characters of RFC 6838's restricted-name (got ${JSON.stringify(shown)})`);
  }
}

function checkPlatformField(value: unknown, where: string, required: boolean): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'string' || value.length > maxPlatformFieldLength) fail(`${where} must be a string of at most ${maxPlatformFieldLength} characters`);
}

/** An index child's platform: architecture and os are required (image-spec image-index.md). */
function checkPlatform(value: unknown, where: string): void {
  if (value === undefined) return;
  if (!isObject(value)) fail(`${where} must be an object`);
  checkPlatformField(value.architecture, `${where}.architecture`, true);
  checkPlatformField(value.os, `${where}.os`, true);
  checkPlatformField(value.variant, `${where}.variant`, false);
  checkPlatformField(value['os.version'], `${where}.os.version`, false);
}

export function checkDescriptor(value: unknown, where: string): Descriptor {
  if (!isObject(value)) fail(`${where} must be a descriptor object`);
  const { mediaType, digest, size } = value;
  checkMediaType(mediaType, `${where}.mediaType`);
  if (typeof digest !== 'string' || !isDigest(digest)) fail(`${where}.digest is not a valid digest`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    fail(`${where}.size must be a non-negative integer`);
  }
  if (value.urls !== undefined && (!Array.isArray(value.urls) || !value.urls.every((u) => typeof u === 'string'))) {
    fail(`${where}.urls must be an array of strings`);
  }
  if (value.artifactType !== undefined) checkMediaType(value.artifactType, `${where}.artifactType`);
  checkPlatform(value.platform, `${where}.platform`);
  checkAnnotations(value.annotations, where);
  return value as unknown as Descriptor;
}

function checkDescriptorList(value: unknown, where: string): Descriptor[] {
  if (!Array.isArray(value)) fail(`${where} must be an array`);
  return value.map((d, i) => checkDescriptor(d, `${where}[${i}]`));
}

/**
 * Parses a manifest body sent with `contentType`. The media type is the Content-Type, or the
 * body's own mediaType when no Content-Type was sent; the two must agree when both are present.
 */
export function parseManifest(body: Buffer, contentType: string | undefined): ParsedManifest {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    fail('manifest is not valid JSON');
  }
  if (!isObject(json)) fail('manifest must be a JSON object');
  if (json.schemaVersion !== 2) fail('schemaVersion must be 2');
  const declared = typeof json.mediaType === 'string' ? json.mediaType : undefined;
  if (json.mediaType !== undefined && declared === undefined) fail('mediaType must be a string');
  const sent = baseMediaType(contentType);
  const mediaType = sent || declared || '';
  if (!isManifestMediaType(mediaType)) {
    fail(`unsupported manifest media type ${JSON.stringify(mediaType || '(none)')}`);
  }
  if (declared !== undefined && declared !== mediaType) {
    fail(`mediaType ${JSON.stringify(declared)} does not match Content-Type ${JSON.stringify(mediaType)}`);
  }
  if (json.artifactType !== undefined) checkMediaType(json.artifactType, 'artifactType');
  const subject = json.subject === undefined ? undefined : checkDescriptor(json.subject, 'subject');
  const annotations = checkAnnotations(json.annotations, 'manifest');

  const parsed: ParsedManifest = { mediaType, blobs: [], manifests: [] };
  if (isIndexMediaType(mediaType)) {
    parsed.manifests = checkDescriptorList(json.manifests, 'manifests');
    if (json.config !== undefined || json.layers !== undefined) fail('an index has no config or layers');
    if (typeof json.artifactType === 'string') parsed.artifactType = json.artifactType;
  } else {
    const config = checkDescriptor(json.config, 'config');
    const layers = checkDescriptorList(json.layers, 'layers');
    if (json.manifests !== undefined) fail('an image manifest has no manifests list');
    if (mediaType === mediaTypes.dockerManifest && layers.length === 0) fail('layers must not be empty');
    // Foreign layers (urls) are fetched by clients elsewhere, so the registry need not have them.
    parsed.blobs = [config, ...layers.filter((l) => !(l.urls?.length && isForeignLayerMediaType(l.mediaType)))];
    parsed.artifactType = typeof json.artifactType === 'string' ? json.artifactType : config.mediaType;
  }
  if (subject) parsed.subject = subject;
  if (annotations) parsed.annotations = annotations;
  return parsed;
}
