// auth: htpasswd — HTTP Basic against bcrypt entries (Distribution's htpasswd access controller).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcrypt';
import request from 'supertest';
import type { Express } from 'express';
import { assertError, blobOf, buildRegistry, raw } from './harness.js';

const realm = 'wharf-test';
const challenge = `Basic realm="${realm}"`;
let dir: string;

async function htpasswdFile(fileName: string, lines: string[]): Promise<string> {
  const path = join(dir, fileName);
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

async function withAuth(path: string): Promise<Express> {
  return (await buildRegistry({ auth: { htpasswd: { realm, path } } })).app;
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

describe('htpasswd auth', () => {
  let app: Express;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wharf-htpasswd-'));
    const alice = await bcrypt.hash('s3cret', 4);
    // `htpasswd -B` writes $2y$, which is the same algorithm as $2b$.
    const bob = (await bcrypt.hash('pa:ss word', 4)).replace(/^\$2b\$/, '$2y$');
    app = await withAuth(await htpasswdFile('users', ['# registry users', `alice:${alice}`, '', `bob:${bob}`]));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('without credentials: 401 UNAUTHORIZED with a Basic challenge naming the realm, on every endpoint', async () => {
    for (const path of ['/v2/', '/v2/_catalog', '/v2/team/app/tags/list', '/v2/team/app/manifests/latest']) {
      const res = await request(app).get(path);
      assertError(res, 401, 'UNAUTHORIZED');
      assert.equal(res.headers['www-authenticate'], challenge, path);
    }
    const upload = await request(app).post('/v2/team/app/blobs/uploads/');
    assertError(upload, 401, 'UNAUTHORIZED');
    assert.equal(upload.headers['www-authenticate'], challenge);
  });

  it('with a wrong password, an unknown user or a malformed header: 401 with the challenge', async () => {
    for (const authorization of [basic('alice', 'wrong'), basic('alice', ''), basic('mallory', 's3cret'), 'Bearer abc.def.ghi', 'Basic !!!', `Basic ${Buffer.from('nocolon').toString('base64')}`]) {
      const res = await request(app).get('/v2/').set('Authorization', authorization);
      assertError(res, 401, 'UNAUTHORIZED');
      assert.equal(res.headers['www-authenticate'], challenge, authorization);
    }
  });

  it('with the right credentials: 200, and pushing and pulling work', async () => {
    const alice = basic('alice', 's3cret');
    const base = await request(app).get('/v2/').set('Authorization', alice);
    assert.equal(base.status, 200);
    assert.equal(base.headers['www-authenticate'], undefined);

    const blob = blobOf('authenticated layer');
    const push = await request(app).post(`/v2/team/app/blobs/uploads/?digest=${blob.digest}`).set('Authorization', alice).send(blob.content);
    assert.equal(push.status, 201);
    const pull = await raw(request(app).get(`/v2/team/app/blobs/${blob.digest}`).set('Authorization', alice));
    assert.equal(pull.status, 200);
    assert.deepEqual(pull.body, blob.content);
    // The same blob without credentials stays closed.
    assertError(await request(app).get(`/v2/team/app/blobs/${blob.digest}`), 401, 'UNAUTHORIZED');
  });

  it('accepts $2y$ entries and passwords containing a colon', async () => {
    const res = await request(app).get('/v2/').set('Authorization', basic('bob', 'pa:ss word'));
    assert.equal(res.status, 200);
    assertError(await request(app).get('/v2/').set('Authorization', basic('bob', 'pa')), 401, 'UNAUTHORIZED');
  });

  it('checks credentials before validating the request', async () => {
    assertError(await request(app).get('/v2/team/app/blobs/sha256:bad'), 401, 'UNAUTHORIZED');
    assertError(await request(app).get('/v2/team/app/blobs/sha256:bad').set('Authorization', basic('alice', 's3cret')), 400, 'DIGEST_INVALID');
  });

  it('refuses non-bcrypt entries at start-up, naming the line', async () => {
    const good = `carol:${await bcrypt.hash('pw', 4)}`;
    const bad: [string, string][] = [
      ['md5', 'dave:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/'],
      ['sha1', 'erin:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g='],
      ['crypt', 'frank:rl0Pd1Pf5.OBo'],
      ['plain', 'grace:plaintext'],
      ['no hash', 'heidi'],
    ];
    for (const [kind, line] of bad) {
      const path = await htpasswdFile(`bad-${kind.replace(/ /g, '-')}`, [good, line]);
      await assert.rejects(withAuth(path), (err: Error) => {
        assert.match(err.message, new RegExp(`${path}:2`), kind);
        return true;
      });
    }
  });

  it('refuses to start when the htpasswd file cannot be read', async () => {
    await assert.rejects(withAuth(join(dir, 'does-not-exist')), /cannot read htpasswd file/);
  });
});
