// Helpers for the v1 index tests, over the JSON API harness (test/api/harness.ts): requests with
// the headers Docker 1.x sends, the token out of X-Docker-Token, and v1 error bodies.
import assert from 'node:assert/strict';
import request, { type Response } from 'supertest';
import { parseV1Token, type V1Access } from '@wharf/shared';
import type { Index } from '../../src/index.js';
import type { TestUser } from '../api/harness.js';

export const imageA = 'a'.repeat(64);
export const imageB = 'b'.repeat(64);
export const checksumA = `sha256:${'1'.repeat(64)}`;
export const checksumB = `sha256:${'2'.repeat(64)}`;

export type Credentials = TestUser | { token: string } | undefined;

function authorize(test: request.Test, who: Credentials): request.Test {
  if (!who) return test;
  return 'token' in who ? test.set('Authorization', `Token ${who.token}`) : test.set('Authorization', who.auth);
}

/** PUT /v1/repositories/<r>/ as Docker starts a push: Basic, X-Docker-Token: true, the image list. */
export function startPush(index: Index, who: Credentials, repository: string, images: unknown = [{ id: imageA, Tag: 'latest' }]) {
  return authorize(request(index.app).put(`/v1/repositories/${repository}/`), who).set('X-Docker-Token', 'true').send(images as object);
}

export function getImages(index: Index, who: Credentials, repository: string, askToken = true) {
  const test = authorize(request(index.app).get(`/v1/repositories/${repository}/images`), who);
  return askToken ? test.set('X-Docker-Token', 'true') : test;
}

export function putImages(index: Index, who: Credentials, repository: string, images: unknown = []) {
  return authorize(request(index.app).put(`/v1/repositories/${repository}/images`), who).send(images as object);
}

export function deleteRepo(index: Index, who: Credentials, repository: string) {
  return authorize(request(index.app).delete(`/v1/repositories/${repository}/`), who).set('X-Docker-Token', 'true');
}

export function putAuth(index: Index, who: Credentials, repository: string) {
  return authorize(request(index.app).put(`/v1/repositories/${repository}/auth`), who);
}

/** The X-Docker-Token of a response, checked for shape, repository and access. */
export function tokenOf(res: Response, repository: string, access: V1Access): string {
  const value = res.headers['x-docker-token'] as string | undefined;
  assert.ok(value, `no X-Docker-Token (${res.status} ${JSON.stringify(res.body)})`);
  assert.match(value, /^signature=[0-9a-f]{64},repository="[^"]+",access=(read|write|delete)$/);
  const parsed = parseV1Token(value)!;
  assert.equal(parsed.repository, repository);
  assert.equal(parsed.access, access);
  return value;
}

/** A push token for the repository (creating it if the user may). */
export async function writeToken(index: Index, user: TestUser, repository: string): Promise<string> {
  const res = await startPush(index, user, repository);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return tokenOf(res, repository.includes('/') ? repository : `library/${repository}`, 'write');
}

export async function readToken(index: Index, who: TestUser | undefined, repository: string): Promise<string> {
  const res = await getImages(index, who, repository);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return tokenOf(res, repository.includes('/') ? repository : `library/${repository}`, 'read');
}

/** Asserts a v1 error: the status and a {"error": "…"} JSON body. */
export function assertV1Error(res: Response, status: number, message?: RegExp): void {
  assert.equal(res.status, status, `expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const body = res.body as { error?: unknown };
  assert.equal(typeof body.error, 'string', `not a v1 error body: ${JSON.stringify(res.body)}`);
  if (message) assert.match(body.error as string, message);
}

/** Moves a token's expiry into the past, as if tokenTtl had gone by. */
export function expireTokens(index: Index): void {
  index.store.db.prepare("UPDATE v1_tokens SET expires_at = '2000-01-01T00:00:00.000Z'").run();
}
