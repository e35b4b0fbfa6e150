// A registry with v1 enabled, built in process over the memory driver and driven through
// supertest, plus the v1 client calls of a Docker 1.5 push (json → layer → checksum, then tag)
// and the check of the v1 error shape.
import assert from 'node:assert/strict';
import { pino } from 'pino';
import request, { type Response, type Test } from 'supertest';
import type { Express } from 'express';
import { registryConfigSchema, type RegistryConfigInput } from '../../src/config/schema.js';
import { createRegistry, type Registry } from '../../src/server.js';
import type { StorageDriver } from '../../src/storage/driver/driver.js';
import { createMemoryDriver } from '../../src/storage/driver/memory/memory-driver.js';
import type { V1TestImage } from './fixtures.js';

export interface V1TestRegistry {
  registry: Registry;
  app: Express;
  driver: StorageDriver;
}

export interface V1BuildOptions {
  /** The index URL; without it the registry is standalone for v1. */
  index?: string;
  tokenCacheTtl?: string;
  enabled?: boolean;
  deleteEnabled?: boolean;
  auth?: RegistryConfigInput['auth'];
  /** A notification endpoint URL, to see what the bridge reports. */
  notify?: string;
  driver?: StorageDriver;
  readOnly?: boolean;
  /** More v1 options (limits). */
  v1?: NonNullable<RegistryConfigInput['v1']>;
}

export async function buildV1Registry(options: V1BuildOptions = {}): Promise<V1TestRegistry> {
  const config = registryConfigSchema.parse({
    log: { level: 'silent' },
    storage: { memory: {}, delete: { enabled: options.deleteEnabled ?? true }, uploadPurging: { enabled: false }, readOnly: options.readOnly ?? false },
    ...(options.auth ? { auth: options.auth } : {}),
    ...(options.notify ? { notifications: { endpoints: [{ name: 'test', url: options.notify, backoff: '10ms' }] } } : {}),
    v1: {
      ...(options.enabled !== undefined ? { enabled: options.enabled } : {}),
      ...(options.index ? { index: options.index } : {}),
      ...(options.tokenCacheTtl ? { tokenCacheTtl: options.tokenCacheTtl } : {}),
      ...options.v1,
    },
  } satisfies RegistryConfigInput);
  const driver = options.driver ?? createMemoryDriver();
  const registry = await createRegistry(config, { driver, logger: pino({ level: 'silent' }) });
  return { registry, app: registry.app, driver };
}

/** Sets Authorization when a header value is given. */
export function authed(test: Test, authorization: string | undefined): Test {
  return authorization ? test.set('Authorization', authorization) : test;
}

/** Makes supertest hand back the body as raw bytes whatever its Content-Type. */
export function raw(test: Test): Test {
  return test.buffer(true).parse((res, callback) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => callback(null, Buffer.concat(chunks)));
  });
}

/** Asserts a v1 error: the status, `{"error": "..."}` and no v2 API version header. */
export function assertV1Error(res: Response, status: number, message?: string | RegExp): void {
  assert.equal(res.status, status, `expected ${status}, got ${res.status} ${res.text}`);
  assert.equal(res.headers['docker-distribution-api-version'], undefined);
  if (res.request.method === 'HEAD') return;
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const body = res.body as { error?: unknown };
  assert.equal(typeof body.error, 'string', `no v1 error body: ${res.text}`);
  if (typeof message === 'string') assert.equal(body.error, message);
  else if (message) assert.match(body.error as string, message);
}

/** A 401 as v1 clients expect it. */
export function assertUnauthorized(res: Response, challenge = 'Token'): void {
  assertV1Error(res, 401, 'Requires authorization');
  assert.equal(res.headers['www-authenticate'], challenge);
}

export function putJson(app: Express, image: V1TestImage, authorization?: string): Test {
  return authed(request(app).put(`/v1/images/${image.id}/json`), authorization).set('Content-Type', 'application/json').send(image.json.toString('utf8'));
}

export function putLayer(app: Express, image: V1TestImage, authorization?: string, bytes: Buffer = image.layer): Test {
  return authed(request(app).put(`/v1/images/${image.id}/layer`), authorization).set('Content-Type', 'application/octet-stream').send(bytes);
}

/** PUT checksum with the image's payload checksum, another one, or (null) none at all. */
export function putChecksum(app: Express, image: V1TestImage, authorization?: string, checksum: string | null = image.checksum): Test {
  const test = authed(request(app).put(`/v1/images/${image.id}/checksum`), authorization);
  return checksum === null ? test : test.set('X-Docker-Checksum-Payload', checksum).set('X-Docker-Checksum', 'tarsum+sha256:0000');
}

export function putTag(app: Express, name: string, tag: string, id: string, authorization?: string): Test {
  return authed(request(app).put(`/v1/repositories/${name}/tags/${tag}`), authorization).set('Content-Type', 'application/json').send(JSON.stringify(id));
}

/** Pushes images parent first as Docker 1.5 does, asserting each step's 200. */
export async function pushImages(app: Express, images: V1TestImage[], authorization?: string): Promise<void> {
  for (const image of images) {
    for (const [step, res] of [
      ['json', await putJson(app, image, authorization)],
      ['layer', await putLayer(app, image, authorization)],
      ['checksum', await putChecksum(app, image, authorization)],
    ] as const) {
      assert.equal(res.status, 200, `PUT ${step} of ${image.id}: ${res.status} ${res.text}`);
    }
  }
}

/** Pushes a chain and tags its top image. */
export async function pushAndTag(app: Express, name: string, tag: string, images: V1TestImage[], authorization?: string): Promise<void> {
  await pushImages(app, images, authorization);
  const res = await putTag(app, name, tag, images[images.length - 1]!.id, authorization);
  assert.equal(res.status, 200, `PUT tag ${name}:${tag}: ${res.status} ${res.text}`);
}
