// An index built in process over ':memory:' SQLite and driven through supertest, with helpers to
// sign users up, make a site admin, create repositories, record pushed images and check the
// error envelope. Every test builds its own index; all of them are closed when the file's tests end.
import assert from 'node:assert/strict';
import { after } from 'node:test';
import { pino } from 'pino';
import request, { type Response } from 'supertest';
import { createAccount, createIndex, indexConfigSchema, type Index, type IndexConfigInput } from '../../src/index.js';

export const password = 'correct-horse-42';

export interface TestUser {
  username: string;
  password: string;
  /** The Authorization header value (HTTP Basic). */
  auth: string;
}

export function basic(username: string, secret: string): string {
  return `Basic ${Buffer.from(`${username}:${secret}`).toString('base64')}`;
}

const built: Index[] = [];
after(async () => {
  for (const index of built.splice(0)) await index.close();
});

export async function buildIndex(overrides: IndexConfigInput = {}): Promise<Index> {
  const config = indexConfigSchema.parse({
    ...overrides,
    database: { path: ':memory:' },
    accounts: { bcryptCost: 10, ...overrides.accounts },
    log: { level: 'silent', ...overrides.log },
  } satisfies IndexConfigInput);
  const index = await createIndex(config, { logger: pino({ level: 'silent' }) });
  built.push(index);
  return index;
}

/** Signs a user up through POST /api/users. */
export async function signUp(index: Index, username: string, secret = password): Promise<TestUser> {
  const res = await request(index.app).post('/api/users').send({ username, email: `${username}@example.com`, password: secret });
  assert.equal(res.status, 201, `sign-up of ${username}: ${res.status} ${JSON.stringify(res.body)}`);
  return { username, password: secret, auth: basic(username, secret) };
}

/** A site admin, created the way the CLI and the initial-admin setting do (not over the API). */
export async function makeAdmin(index: Index, username = 'siteadmin'): Promise<TestUser> {
  await createAccount(index.store, { bcryptCost: 10 }, { username, email: `${username}@example.com`, password, isAdmin: true });
  return { username, password, auth: basic(username, password) };
}

export async function createRepo(index: Index, owner: TestUser, name: string, visibility: 'public' | 'private' = 'public', description = ''): Promise<void> {
  const res = await request(index.app).post('/api/repositories').set('Authorization', owner.auth).send({ name, visibility, description });
  assert.equal(res.status, 201, `create ${name}: ${res.status} ${JSON.stringify(res.body)}`);
}

/** A personal access token's secret, created through the API. */
export async function createPat(index: Index, user: TestUser, name: string, permission: string): Promise<string> {
  const res = await request(index.app).post('/api/user/tokens').set('Authorization', user.auth).send({ name, permission });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.token as string;
}

/** Records a pushed tag the way the registry's events will: manifest first, then the tag. */
export function recordTag(index: Index, repository: string, tag: string, digest: string, layers: string[] = []): void {
  const repo = index.store.repositories.byName(repository);
  assert.ok(repo, `no repository ${repository}`);
  index.store.images.recordManifest(repo.id, { digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 1234, layers, pushedBy: null });
  index.store.images.setTag(repo.id, tag, digest);
}

/** Asserts an error response: status, JSON envelope, and the code of its first entry. */
export function assertError(res: Response, status: number, code: string): void {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status} ${JSON.stringify(res.body)}`);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const body = res.body as { errors?: { code: string; message: string }[] };
  assert.ok(Array.isArray(body.errors) && body.errors.length > 0, `no error envelope: ${JSON.stringify(res.body)}`);
  assert.equal(body.errors[0]!.code, code);
  assert.equal(typeof body.errors[0]!.message, 'string');
}

export const digestA = `sha256:${'a'.repeat(64)}`;
export const digestB = `sha256:${'b'.repeat(64)}`;
