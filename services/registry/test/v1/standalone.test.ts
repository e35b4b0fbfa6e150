// v1 without an index (docs/protocol-v1.md, "Token", standalone): the registry's own
// auth decides — htpasswd here, whose Basic credentials Docker 1.x sends to a standalone
// registry — and /v1/_ping says so. Also: v1 switched off, and a token-auth registry with no
// index, where v1 is not served at all.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcrypt';
import request from 'supertest';
import type { Express } from 'express';
import { makeChain } from './fixtures.js';
import { assertUnauthorized, authed, buildV1Registry, pushAndTag, putJson } from './harness.js';

const challenge = 'Basic realm="wharf-v1"';

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

describe('v1 standalone with htpasswd', () => {
  let dir: string;
  let app: Express;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wharf-v1-htpasswd-'));
    const path = join(dir, 'htpasswd');
    await writeFile(path, `alice:${await bcrypt.hash('s3cret', 4)}\n`);
    app = (await buildV1Registry({ auth: { htpasswd: { realm: 'wharf-v1', path } } })).app;
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('ping needs no credentials and says X-Docker-Registry-Standalone: True', async () => {
    for (const path of ['/v1/_ping', '/_ping']) {
      const res = await request(app).get(path);
      assert.equal(res.status, 200);
      assert.equal(res.headers['x-docker-registry-standalone'], 'True');
    }
  });

  it('without or with wrong credentials: 401 Requires authorization with the Basic challenge', async () => {
    const chain = makeChain(1);
    for (const authorization of [undefined, basic('alice', 'wrong'), basic('mallory', 's3cret'), 'Token signature=x,repository="a/b",access=write']) {
      assertUnauthorized(await putJson(app, chain[0]!, authorization), challenge);
      assertUnauthorized(await authed(request(app).get('/v1/repositories/team/app/tags'), authorization), challenge);
      assertUnauthorized(await authed(request(app).get(`/v1/images/${chain[0]!.id}/json`), authorization), challenge);
    }
  });

  it('with credentials: push, tag, pull and delete, on any repository', async () => {
    const alice = basic('alice', 's3cret');
    const chain = makeChain(2);
    await pushAndTag(app, 'team/app', 'latest', chain, alice);
    assert.deepEqual((await authed(request(app).get('/v1/repositories/team/app/tags'), alice)).body, { latest: chain[1]!.id });
    assert.equal((await authed(request(app).get(`/v1/images/${chain[0]!.id}/layer`), alice)).status, 200);
    // The bridged v2 image is there for v2 clients with the same credentials.
    assert.equal((await authed(request(app).get('/v2/team/app/manifests/latest'), alice).set('Accept', 'application/vnd.docker.distribution.manifest.v2+json')).status, 200);
    assert.equal((await authed(request(app).delete('/v1/repositories/team/app/'), alice)).status, 200);
  });
});

describe('v1 switched off or not servable', () => {
  it('v1.enabled: false serves no v1 route (the v2 not-found answers)', async () => {
    const { app } = await buildV1Registry({ enabled: false });
    const res = await request(app).get('/v1/_ping');
    assert.equal(res.status, 404);
    assert.equal(res.headers['docker-distribution-api-version'], 'registry/2.0');
  });

  it('token auth without v1.index: v1 is not served (image routes cannot be scoped to a repository)', async () => {
    const { app } = await buildV1Registry({
      auth: { token: { realm: 'http://127.0.0.1:9/token', service: 'wharf', issuer: 'wharf', jwks: 'http://127.0.0.1:9/keys' } },
    });
    assert.equal((await request(app).get('/v1/_ping')).status, 404);
  });
});
