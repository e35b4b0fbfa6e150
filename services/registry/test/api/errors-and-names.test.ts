// Repository-name validation, unknown paths, unsupported methods and the error envelope, across
// every route family (OCI spec "Pulling manifests" name grammar, "Error Codes").
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { apiVersion, assertError, blobOf, buildRegistry, pushImage, recordingDriver } from './harness.js';

const digest = blobOf('anything').digest;

/** One request per route family for a repository name. */
function everyRoute(name: string): [method: 'get' | 'head' | 'put' | 'post' | 'patch' | 'delete', path: string][] {
  return [
    ['get', `/v2/${name}/tags/list`],
    ['get', `/v2/${name}/manifests/latest`],
    ['head', `/v2/${name}/manifests/${digest}`],
    ['put', `/v2/${name}/manifests/latest`],
    ['delete', `/v2/${name}/manifests/latest`],
    ['get', `/v2/${name}/blobs/${digest}`],
    ['delete', `/v2/${name}/blobs/${digest}`],
    ['post', `/v2/${name}/blobs/uploads/`],
    ['post', `/v2/${name}/blobs/uploads/?digest=${digest}`],
    ['get', `/v2/${name}/blobs/uploads/${randomUUID()}`],
    ['patch', `/v2/${name}/blobs/uploads/${randomUUID()}`],
    ['put', `/v2/${name}/blobs/uploads/${randomUUID()}?digest=${digest}`],
    ['delete', `/v2/${name}/blobs/uploads/${randomUUID()}`],
    ['get', `/v2/${name}/referrers/${digest}`],
  ];
}

const invalidNames: [string, string][] = [
  ['uppercase', 'Team/App'],
  ['dot-dot component', 'team/../app'],
  ['empty component', 'team//app'],
  ['trailing dash', 'team/app-'],
  ['leading separator in a component', 'team/-app'],
  ['trailing slash component', 'team/app/'],
  ['256 characters', 'a'.repeat(256)],
  ['256 characters over several components', `${'a'.repeat(127)}/${'b'.repeat(127)}x`],
  ['characters outside the grammar', 'team/app@1'],
];

describe('repository names', () => {
  for (const [why, name] of invalidNames) {
    it(`${why}: 400 NAME_INVALID on every route, before storage is touched`, async () => {
      const { driver, calls } = recordingDriver();
      const { app } = await buildRegistry({ driver });
      for (const [method, path] of everyRoute(name)) {
        const res = await request(app)[method](path);
        assertError(res, 400, 'NAME_INVALID');
        if (method !== 'head') assert.deepEqual((res.body as { errors: { detail: unknown }[] }).errors[0]!.detail, { name });
      }
      assert.deepEqual(calls, [], 'the driver was not called');
    });
  }

  it('names at the limits of the grammar are valid', async () => {
    const { app } = await buildRegistry();
    for (const name of ['a', 'a'.repeat(255), 'a/b/c/d/e', 'a.b_c__d---e/f0-9']) {
      assertError(await request(app).get(`/v2/${name}/tags/list`), 404, 'NAME_UNKNOWN');
    }
    const image = await pushImage(app, 'x__y.z/a--b', { tag: 'ok' });
    assert.equal((await request(app).head(`/v2/x__y.z/a--b/manifests/ok`)).headers['docker-content-digest'], image.digest);
  });

  it('a path that is valid percent-encoding of an invalid name is still invalid', async () => {
    const { app } = await buildRegistry();
    assertError(await request(app).get('/v2/team%2Fapp/tags/list'), 400, 'NAME_INVALID');
  });
});

describe('unknown paths', () => {
  it('404 NOT_FOUND in the error envelope, under /v2 and outside it', async () => {
    const { app } = await buildRegistry();
    for (const path of ['/v2/team/app', '/v2/team/app/unknown/thing', '/v2/team/app/tags', '/v2/_catalog/more', '/v2/team/app/blobs/', '/', '/v0/_ping', '/v3/']) {
      assertError(await request(app).get(path), 404, 'NOT_FOUND');
    }
  });
});

describe('unsupported methods', () => {
  it('405 UNSUPPORTED for methods a route does not have', async () => {
    const { app } = await buildRegistry();
    const cases: [string, string][] = [
      ['patch', `/v2/team/app/manifests/latest`],
      ['post', `/v2/team/app/manifests/latest`],
      ['post', `/v2/team/app/blobs/${digest}`],
      ['put', `/v2/team/app/blobs/${digest}`],
      ['patch', `/v2/team/app/blobs/${digest}`],
      ['put', '/v2/team/app/tags/list'],
      ['delete', '/v2/team/app/tags/list'],
      ['get', '/v2/team/app/blobs/uploads/'],
      ['put', '/v2/team/app/blobs/uploads/'],
      ['post', `/v2/team/app/blobs/uploads/${randomUUID()}`],
      ['put', '/v2/'],
      ['options', '/v2/'],
    ];
    for (const [method, path] of cases) {
      const res = await (request(app) as unknown as Record<string, (p: string) => request.Test>)[method]!(path);
      assertError(res, 405, 'UNSUPPORTED');
    }
  });

  it('with deletes disabled, manifest and blob DELETE are 405 UNSUPPORTED', async () => {
    const { app } = await buildRegistry({ deleteEnabled: false });
    const image = await pushImage(app, 'team/app', { tag: 'v1' });
    assertError(await request(app).delete(`/v2/team/app/manifests/${image.digest}`), 405, 'UNSUPPORTED');
    assertError(await request(app).delete('/v2/team/app/manifests/v1'), 405, 'UNSUPPORTED');
    const blobDelete = await request(app).delete(`/v2/team/app/blobs/${image.layers[0]!.digest}`);
    assertError(blobDelete, 405, 'UNSUPPORTED');
    // Says why, so the operator knows which option to turn on.
    assert.match((blobDelete.body as { errors: { message: string }[] }).errors[0]!.message, /deletes are disabled .*registry\.storage\.delete\.enabled/);
    assert.equal((await request(app).head('/v2/team/app/manifests/v1')).status, 200);
    assert.equal((await request(app).head(`/v2/team/app/blobs/${image.layers[0]!.digest}`)).status, 200);
  });
});

describe('the error envelope', () => {
  it('is {"errors":[{code, message, detail?}]} with an uppercase code, JSON, and the API version header', async () => {
    const { app } = await buildRegistry();
    const res = await request(app).get(`/v2/team/app/blobs/${digest}`);
    assert.equal(res.status, 404);
    assert.equal(res.headers['docker-distribution-api-version'], apiVersion);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const body = res.body as { errors: Record<string, unknown>[] };
    assert.deepEqual(Object.keys(body), ['errors']);
    assert.equal(body.errors.length, 1);
    const [entry] = body.errors;
    assert.match(String(entry!.code), /^[A-Z_]+$/);
    assert.equal(entry!.code, 'BLOB_UNKNOWN');
    assert.equal(typeof entry!.message, 'string');
    assert.deepEqual(entry!.detail, { digest });
    assert.equal(res.headers['content-length'], String(Buffer.byteLength(res.text)));
  });

  it('a HEAD error has the status and headers but no body', async () => {
    const { app } = await buildRegistry();
    const res = await request(app).head(`/v2/team/app/blobs/${digest}`);
    assertError(res, 404, 'BLOB_UNKNOWN');
    assert.equal(res.text, undefined);
  });
});
