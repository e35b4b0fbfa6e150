// A registry built in process over the memory driver, driven through supertest, plus helpers to
// push blobs and images and to check the v2 error envelope. Every test builds its own registry.
import assert from 'node:assert/strict';
import { pino } from 'pino';
import request, { type Response, type Test } from 'supertest';
import type { Express } from 'express';
import { digestOf, mediaTypes, type DigestAlgorithm, type Descriptor } from '@wharf/shared';
import { registryConfigSchema, type RegistryConfigInput } from '../../src/config/schema.js';
import { createRegistry, type Registry } from '../../src/server.js';
import type { StorageDriver } from '../../src/storage/driver/driver.js';
import { createMemoryDriver } from '../../src/storage/driver/memory/memory-driver.js';

export { mediaTypes };
export const apiVersion = 'registry/2.0';

export interface TestRegistry {
  registry: Registry;
  app: Express;
  driver: StorageDriver;
}

export interface BuildOptions {
  /** Manifest and blob DELETE (default true). */
  deleteEnabled?: boolean;
  /** Reuse a driver, e.g. to "restart" a registry over the same storage. */
  driver?: StorageDriver;
  maxManifestBytes?: number;
  auth?: RegistryConfigInput['auth'];
  metrics?: boolean;
  /** Further storage settings (readOnly, gc, uploadPurging …) over the defaults here. */
  storage?: Omit<NonNullable<RegistryConfigInput['storage']>, 'memory' | 'filesystem' | 's3' | 'azure'>;
}

export async function buildRegistry(options: BuildOptions = {}): Promise<TestRegistry> {
  const config = registryConfigSchema.parse({
    // The access log stays on (the default) so its code runs; the logger itself is silent.
    log: { level: 'silent' },
    storage: {
      memory: {},
      delete: { enabled: options.deleteEnabled ?? true },
      uploadPurging: { enabled: false },
      ...(options.maxManifestBytes !== undefined ? { maxManifestBytes: options.maxManifestBytes } : {}),
      ...options.storage,
    },
    ...(options.auth ? { auth: options.auth } : {}),
    ...(options.metrics ? { http: { metrics: true } } : {}),
  } satisfies RegistryConfigInput);
  const driver = options.driver ?? createMemoryDriver();
  const registry = await createRegistry(config, { driver, logger: pino({ level: 'silent' }) });
  return { registry, app: registry.app, driver };
}

/** A driver that records every call ("method path") before passing it on. */
export function recordingDriver(inner: StorageDriver = createMemoryDriver()): { driver: StorageDriver; calls: string[] } {
  const calls: string[] = [];
  const driver = new Proxy(inner, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(`${String(prop)} ${String(args[0])}`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { driver, calls };
}

/** Makes supertest hand back the body as raw bytes whatever its Content-Type. */
export function raw(test: Test): Test {
  return test.buffer(true).parse((res, callback) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => callback(null, Buffer.concat(chunks)));
  });
}

/** Asserts a v2 error: status, the code of the (first) envelope entry, and the API version header. */
export function assertError(res: Response, status: number, code: string): void {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status} ${JSON.stringify(res.body)}`);
  assert.equal(res.headers['docker-distribution-api-version'], apiVersion);
  if (res.request.method === 'HEAD') return;
  assert.match(String(res.headers['content-type']), /^application\/json/);
  // A raw() request holds the body as bytes.
  const parsed: unknown = Buffer.isBuffer(res.body) ? JSON.parse(res.body.toString('utf8')) : res.body;
  const body = parsed as { errors?: { code: string; message: unknown }[] };
  assert.ok(Array.isArray(body.errors) && body.errors.length > 0, `no error envelope: ${res.text}`);
  assert.equal(body.errors[0]!.code, code);
  assert.equal(typeof body.errors[0]!.message, 'string');
}

export interface BlobRef {
  content: Buffer;
  digest: string;
  size: number;
}

export function blobOf(content: string | Buffer, algorithm: DigestAlgorithm = 'sha256'): BlobRef {
  const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content);
  return { content: bytes, digest: digestOf(bytes, algorithm), size: bytes.length };
}

/** Pushes a blob with a single monolithic POST ?digest= and checks the 201. */
export async function pushBlob(app: Express, name: string, content: string | Buffer, algorithm: DigestAlgorithm = 'sha256'): Promise<BlobRef> {
  const blob = blobOf(content, algorithm);
  const res = await request(app)
    .post(`/v2/${name}/blobs/uploads/?digest=${blob.digest}`)
    .set('Content-Type', 'application/octet-stream')
    .send(blob.content);
  assert.equal(res.status, 201, `pushing blob to ${name}: ${res.status} ${res.text}`);
  assert.equal(res.headers['docker-content-digest'], blob.digest);
  return blob;
}

export async function putManifest(app: Express, name: string, reference: string, body: Buffer | object, contentType?: string): Promise<Response> {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  // superagent would re-serialize a Buffer sent as a JSON type; the bytes must go as they are.
  const req = request(app).put(`/v2/${name}/manifests/${reference}`).serialize((body: unknown) => body as string);
  if (contentType !== undefined) req.set('Content-Type', contentType);
  return req.send(bytes);
}

export interface PushedManifest {
  digest: string;
  bytes: Buffer;
  mediaType: string;
  size: number;
  /** The descriptor an index or a subject field would use. */
  descriptor: Descriptor;
  /** The PUT's response headers. */
  headers: Record<string, string>;
}

/** PUTs a manifest (by tag or by its own digest when no tag is given) and checks the 201. */
export async function pushManifest(app: Express, name: string, manifest: object, options: { tag?: string; mediaType?: string } = {}): Promise<PushedManifest> {
  const bytes = Buffer.from(JSON.stringify(manifest, null, 2));
  const mediaType = options.mediaType ?? (manifest as { mediaType?: string }).mediaType ?? mediaTypes.ociManifest;
  const digest = digestOf(bytes);
  const res = await putManifest(app, name, options.tag ?? digest, bytes, mediaType);
  assert.equal(res.status, 201, `pushing manifest to ${name}: ${res.status} ${res.text}`);
  assert.equal(res.headers['docker-content-digest'], digest);
  return { digest, bytes, mediaType, size: bytes.length, descriptor: { mediaType, digest, size: bytes.length }, headers: res.headers as Record<string, string> };
}

export interface ImageOptions {
  tag?: string;
  /** docker schema2 or OCI (default). */
  docker?: boolean;
  layers?: (string | Buffer)[];
  config?: string;
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface PushedImage extends PushedManifest {
  config: BlobRef;
  layers: BlobRef[];
}

/** Pushes a config and layers, then an image manifest referencing them. */
export async function pushImage(app: Express, name: string, options: ImageOptions = {}): Promise<PushedImage> {
  const docker = options.docker ?? false;
  const config = await pushBlob(app, name, options.config ?? JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers' } }));
  const layers: BlobRef[] = [];
  for (const layer of options.layers ?? [`layer of ${name}`]) layers.push(await pushBlob(app, name, layer));
  const mediaType = docker ? mediaTypes.dockerManifest : mediaTypes.ociManifest;
  const manifest: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType,
    config: { mediaType: docker ? mediaTypes.dockerConfig : mediaTypes.ociConfig, digest: config.digest, size: config.size },
    layers: layers.map((l) => ({ mediaType: docker ? mediaTypes.dockerLayer : mediaTypes.ociLayerGzip, digest: l.digest, size: l.size })),
  };
  if (options.artifactType) manifest.artifactType = options.artifactType;
  if (options.subject) manifest.subject = options.subject;
  if (options.annotations) manifest.annotations = options.annotations;
  const pushed = await pushManifest(app, name, manifest, options.tag ? { tag: options.tag } : {});
  return { ...pushed, config, layers };
}

/** The empty JSON config blob artifacts use (OCI image spec, "Guidance for an Empty Descriptor"). */
export const emptyConfig = blobOf('{}');

/** Pushes an artifact: artifactType, the empty config and one layer; optionally a subject. */
export async function pushArtifact(
  app: Express,
  name: string,
  options: { artifactType?: string; subject?: Descriptor; annotations?: Record<string, string>; tag?: string; content?: string } = {},
): Promise<PushedManifest & { manifest: Record<string, unknown> }> {
  await pushBlob(app, name, emptyConfig.content);
  const layer = await pushBlob(app, name, options.content ?? `artifact payload ${options.artifactType ?? ''}`);
  const manifest: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType: mediaTypes.ociManifest,
    ...(options.artifactType ? { artifactType: options.artifactType } : {}),
    config: { mediaType: mediaTypes.ociEmpty, digest: emptyConfig.digest, size: emptyConfig.size },
    layers: [{ mediaType: 'application/vnd.example.payload.v1+json', digest: layer.digest, size: layer.size }],
    ...(options.subject ? { subject: options.subject } : {}),
    ...(options.annotations ? { annotations: options.annotations } : {}),
  };
  const pushed = await pushManifest(app, name, manifest, options.tag ? { tag: options.tag } : {});
  return { ...pushed, manifest };
}

/** Pushes an index (OCI, or a docker manifest list) over already-pushed manifests. */
export async function pushIndex(app: Express, name: string, children: PushedManifest[], options: { tag?: string; docker?: boolean; subject?: Descriptor; annotations?: Record<string, string> } = {}): Promise<PushedManifest> {
  const mediaType = options.docker ? mediaTypes.dockerManifestList : mediaTypes.ociIndex;
  const index: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType,
    manifests: children.map((c, i) => ({ ...c.descriptor, platform: { architecture: i % 2 ? 'arm64' : 'amd64', os: 'linux' } })),
    ...(options.subject ? { subject: options.subject } : {}),
    ...(options.annotations ? { annotations: options.annotations } : {}),
  };
  return pushManifest(app, name, index, options.tag ? { tag: options.tag } : {});
}

/** The upload id from a Location of /v2/<name>/blobs/uploads/<uuid>. */
export function uploadIdOf(location: string | undefined): string {
  const match = /\/blobs\/uploads\/([^/?]+)(?:\?.*)?$/.exec(location ?? '');
  assert.ok(match, `not an upload location: ${location}`);
  return match[1]!;
}

/** Starts an upload session and returns its Location. */
export async function startUpload(app: Express, name: string): Promise<string> {
  const res = await request(app).post(`/v2/${name}/blobs/uploads/`);
  assert.equal(res.status, 202, `starting upload: ${res.status} ${res.text}`);
  return res.headers.location as string;
}
