// The legacy v1 protocol end to end, against `wharf serve` with its v1 halves connected
// (docs/protocol-v1.md). Images are pushed by test/helpers/v1-push-client.ts, which makes Docker
// 1.5's calls in Docker 1.5's order; they are pulled back by the npm docker-registry-client over
// v1 and by the real docker CLI over v2 (the v1→v2 bridge), layer for layer. Then every way the
// registry must refuse a v1 token; one image pushed to two repositories of its owner (and not
// grafted by a stranger); a push interrupted between its layer and its checksum, or cut off
// mid-layer, which must leave nothing visible until the retry completes it; and a repository
// deleted the v1 way (index → registry → index), after which neither protocol serves or lists any
// of it while the image and blob it shared with another repository still serve there, and which
// can be pushed again. The stack caches the index's answers for 2 s (registry.v1.tokenCacheTtl).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireDocker, uniqueName } from '../helpers/docker.js';
import { drcV1, loginV1, pingIndexV1, type ClientError } from '../helpers/drc-v1.js';
import { makeLayers, sha256 } from '../helpers/images.js';
import { basicAuth } from '../helpers/json-api.js';
import { withLogs } from '../helpers/process.js';
import { manifestAccept, request, type Fetched } from '../helpers/registry-api.js';
import { buildV1Chain, chainOf, readTar, uncompressed, type V1Image } from '../helpers/v1-images.js';
import { parseToken, V1Client, type V1Response, type V1Session } from '../helpers/v1-push-client.js';
import { startV1Stack, v1StackAdmin, type V1Stack } from '../helpers/v1-stack.js';
import { dockerAs, type DockerClient } from '../helpers/wharf-stack.js';

const alicePassword = 'alice-correct-horse';
const bobbyPassword = 'bobby-battery-staple';
const carolPassword = 'carol-stranger-pass';
const davePassword = 'dave-leaving-soon-1';
const alice = `alice:${alicePassword}`;
const bobby = `bobby:${bobbyPassword}`;
const carol = `carol:${carolPassword}`;
const dave = `dave:${davePassword}`;

/** The registry's refusal of a missing or invalid token (401); a token that is valid but does not fit may also get 403. */
const refusedStatuses = [401, 403];

const json = (res: { body: Buffer }) => JSON.parse(res.body.toString('utf8')) as unknown;
const brief = (res: { status: number; body: Buffer }) => `${res.status} ${res.body.toString('utf8').slice(0, 300)}`;

/** Calls `call` every 500 ms until its status is one of `statuses` or timeoutMs passes; the last answer. */
async function pollUntil<T extends { status: number }>(call: () => Promise<T>, statuses: number[], timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await call();
    if (statuses.includes(res.status) || Date.now() > deadline) return res;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('v1 against wharf serve: push, pull over v1 and v2, token denials, interrupted push, delete', () => {
  const dockerSkip = requireDocker();
  let stack: V1Stack;
  let work: string;
  let anonymousDocker: DockerClient;
  const pulledRefs = new Set<string>();
  const logged = <T>(fn: () => Promise<T>) => withLogs(stack, fn);
  const client = (auth?: string) => new V1Client({ indexUrl: stack.indexUrl, auth });
  /** A raw registry call (outside any client's session): token undefined means no Authorization. */
  const registryCall = (token: string | undefined, method: string, path: string, init: { headers?: Record<string, string>; body?: string | Buffer } = {}) =>
    new V1Client({ indexUrl: stack.indexUrl }).registry({ registryUrl: stack.registryUrl, token }, method, path, init);

  /** The v2 view of a repository, read with a bearer token for `auth` (anonymous when undefined). */
  async function v2(auth: string | undefined, name: string, path: string, accept = manifestAccept): Promise<Fetched> {
    const { token } = await stack.registryToken(auth, `repository:${name}:pull`);
    return request(`${stack.registryUrl}/v2/${name}/${path}`, { headers: { accept, authorization: `Bearer ${token}` } });
  }

  /** Asserts the v2 manifest of name:tag lists the chain's layers (uncompressed: diff ids) and returns config and blobs. */
  async function assertBridged(auth: string | undefined, name: string, tag: string, chain: V1Image[]) {
    const manifestRes = await v2(auth, name, `manifests/${tag}`);
    assert.equal(manifestRes.status, 200, `v2 GET /v2/${name}/manifests/${tag}: ${brief(manifestRes)}`);
    const manifest = json(manifestRes) as { schemaVersion: number; mediaType?: string; config: { digest: string }; layers: { digest: string; size: number; mediaType: string }[] };
    assert.equal(manifest.schemaVersion, 2, `the bridge should serve a schema 2 (or OCI) manifest: ${manifestRes.body.toString('utf8')}`);
    assert.equal(manifest.layers.length, chain.length, `one v2 layer per v1 image: ${manifestRes.body.toString('utf8')}`);
    const configRes = await v2(auth, name, `blobs/${manifest.config.digest}`, '*/*');
    assert.equal(configRes.status, 200, `config blob: ${brief(configRes)}`);
    assert.equal(sha256(configRes.body), manifest.config.digest);
    const config = json(configRes) as { rootfs: { type: string; diff_ids: string[] }; config?: { Cmd?: string[]; Env?: string[] }; history?: unknown[]; architecture: string; os: string };
    assert.deepEqual(config.rootfs, { type: 'layers', diff_ids: chain.map((i) => sha256(i.tar)) }, 'rootfs.diff_ids must be sha256 of the uncompressed v1 layers, base first');
    const blobs: Buffer[] = [];
    for (const [i, layer] of manifest.layers.entries()) {
      const blob = await v2(auth, name, `blobs/${layer.digest}`, '*/*');
      assert.equal(blob.status, 200, `layer blob ${layer.digest}: ${brief(blob)}`);
      assert.equal(sha256(blob.body), layer.digest, 'the blob must match its digest');
      assert.equal(blob.body.length, layer.size, 'the blob must match the manifest size');
      assert.ok(uncompressed(blob.body).equals(chain[i]!.tar), `v2 layer ${i} must hold the v1 layer's tar`);
      blobs.push(blob.body);
    }
    return { manifest, config, blobs };
  }

  /** docker pull (anonymous: a public repository) then docker save; the saved layers' sha256 in order. */
  async function dockerPullLayers(ref: string): Promise<{ diffIds: string[]; inspect: { Config: { Cmd: string[] | null; Env: string[] | null } } }> {
    await anonymousDocker.ok('pull', ref);
    pulledRefs.add(ref);
    const archive = join(work, `${uniqueName('save')}.tar`);
    await anonymousDocker.ok('save', '-o', archive, ref);
    const files = readTar(await readFile(archive));
    await rm(archive, { force: true });
    const manifest = JSON.parse(files.get('manifest.json')?.toString('utf8') ?? '[]') as { Layers: string[] }[];
    const layers = manifest[0]?.Layers ?? [];
    const diffIds = layers.map((path) => {
      const layer = files.get(path);
      assert.ok(layer, `docker save archive has no ${path}`);
      return sha256(uncompressed(layer));
    });
    const inspect = JSON.parse((await anonymousDocker.ok('image', 'inspect', ref)).stdout) as { Config: { Cmd: string[] | null; Env: string[] | null } }[];
    return { diffIds, inspect: inspect[0]! };
  }

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'wharf-v1-e2e-'));
    anonymousDocker = dockerAs(join(work, 'docker-anonymous'));
    stack = await startV1Stack();
    await stack.signUp('alice', alicePassword);
    await stack.signUp('bobby', bobbyPassword);
    await stack.signUp('carol', carolPassword);
    await stack.signUp('dave', davePassword);
  });

  after(async () => {
    if (!dockerSkip) for (const ref of pulledRefs) await anonymousDocker?.try(['rmi', '-f', ref]);
    await stack?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  describe('push, then pull over v1 and over v2', () => {
    const name = 'alice/pub';
    let chain: V1Image[];

    before(async () => {
      await stack.createRepository(alice, name, 'public');
      chain = buildV1Chain(3, uniqueName('v1-pub'), { config: { Cmd: ['/bin/echo', 'wharf-v1'], Env: ['PATH=/usr/bin:/bin', 'WHARF_V1=yes'] } });
    });

    it('the push client pushes a three-layer image with exactly Docker 1.5\'s calls', () =>
      logged(async () => {
        const pusher = client(alice);
        const result = await pusher.push(name, 'latest', chain);
        assert.deepEqual(result.pushed, chain.map((i) => i.id));
        const calls = result.calls.map((c) => `${c.service} ${c.method} ${c.path}${c.path === '/v2/' ? '' : ` ${c.status}`}`);
        assert.deepEqual(calls.slice(0, 2), ['index GET /v2/', 'index GET /v1/_ping 200']);
        assert.match(calls[2] ?? '', /^index PUT \/v1\/repositories\/alice\/pub\/ 20[01]$/);
        assert.deepEqual(calls.slice(3), [
          ...chain.flatMap((i) => [
            `registry GET /v1/images/${i.id}/json 404`,
            `registry PUT /v1/images/${i.id}/json 200`,
            `registry PUT /v1/images/${i.id}/layer 200`,
            `registry PUT /v1/images/${i.id}/checksum 200`,
          ]),
          'registry PUT /v1/repositories/alice/pub/tags/latest 200',
          'index PUT /v1/repositories/alice/pub/images 204',
        ]);
        const token = parseToken(result.session.token);
        assert.equal(token.repository, name, `push token: ${result.session.token}`);
        assert.equal(token.access, 'write', `push token: ${result.session.token}`);
        assert.ok(token.signature, `push token: ${result.session.token}`);
        assert.deepEqual(result.session.endpoints.map((e) => e.replace(/^https?:\/\//, '').replace(/\/v1\/?$/, '')), [stack.registryHost]);
      }));

    it('a second push of the same image finds every image there and skips it', () =>
      logged(async () => {
        const again = await client(alice).push(name, 'again', chain);
        assert.deepEqual(again.skipped, chain.map((i) => i.id));
        assert.deepEqual(again.pushed, []);
        const tags = await registryCall(again.session.token, 'GET', `/v1/repositories/${name}/tags`);
        assert.equal(tags.status, 200, brief(tags));
        assert.deepEqual(json(tags), { latest: chain[2]!.id, again: chain[2]!.id });
        // The documents' form of the final index call, with checksums, is accepted as well as Docker's [].
        const documented = await client(alice).finishPush(name, chain.map((i) => ({ id: i.id, checksum: i.checksum })));
        assert.equal(documented.status, 204);
        // PUT json of a complete image: 409, which Docker treats as "skip".
        const conflict = await client(alice).putJson(again.session, chain[0]!);
        assert.equal(conflict.status, 409, `PUT json of a complete image: ${conflict.text}`);
      }));

    it('docker-registry-client: ping, login (existing, wrong password, new account), search', () =>
      logged(async () => {
        assert.equal(await pingIndexV1(stack.indexUrl), true);
        assert.equal(await drcV1(stack.indexHost, name).ping(), true);
        assert.equal((await loginV1(stack.indexUrl, 'alice', alicePassword)).status, 'Login Succeeded');
        await assert.rejects(loginV1(stack.indexUrl, 'alice', 'not-her-password'), /Wrong login\/password/);
        const created = await loginV1(stack.indexUrl, 'erin', 'erin-new-account-pw');
        assert.match(created.status, /Account created/);
        await stack.apiOk('GET', '/api/user', { auth: 'erin:erin-new-account-pw', expect: [200] });
        // PUT /v1/users/<u>/ changes the password (docker 1.x "login" with a new one).
        const erin = client('erin:erin-new-account-pw');
        const change = await erin.index('PUT', '/v1/users/erin/', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: 'erin-changed-pw-2' }) });
        assert.equal(change.status, 204, `PUT /v1/users/erin/: ${change.status} ${change.text}`);
        assert.equal((await client('erin:erin-changed-pw-2').index('GET', '/v1/users/')).status, 200);
        assert.equal((await client('erin:erin-new-account-pw').index('GET', '/v1/users/')).status, 401);
        // The registry's own ping: with an index, it is not standalone.
        for (const path of ['/v1/_ping', '/_ping']) {
          const ping = await registryCall(undefined, 'GET', path);
          assert.equal(ping.status, 200, `registry GET ${path}: ${brief(ping)}`);
          assert.equal(ping.headers.get('x-docker-registry-standalone'), 'False', `registry GET ${path}: X-Docker-Registry-Standalone`);
        }

        const anonymous = drcV1(stack.indexHost, name);
        try {
          const hits = await anonymous.search('pub');
          assert.ok(hits.results.some((r) => r.name === name), `search as anonymous: ${JSON.stringify(hits)}`);
          assert.equal(typeof hits.num_results, 'number');
        } finally {
          anonymous.close();
        }
      }));

    it('docker-registry-client pulls it over v1: images, tags, ancestry, JSON and layers as pushed', () =>
      logged(async () => {
        // Anonymous: this client sends no token to a registry on another port (its quirk), so a public repository.
        const drc = drcV1(stack.indexHost, name);
        try {
          const images = await drc.listRepoImgs();
          for (const image of chain) assert.ok(images.some((i) => i.id === image.id), `listRepoImgs lacks ${image.id}: ${JSON.stringify(images)}`);
          assert.deepEqual(await drc.listRepoTags(), { latest: chain[2]!.id, again: chain[2]!.id });
          assert.equal(await drc.getImgId('latest'), chain[2]!.id);
          assert.deepEqual(await drc.getImgAncestry(chain[2]!.id), [chain[2]!.id, chain[1]!.id, chain[0]!.id]);
          for (const image of chain) {
            assert.deepEqual(await drc.getImgJson(image.id), JSON.parse(image.json.toString('utf8')));
            const layer = await drc.getImgLayer(image.id);
            assert.equal(layer.status, 200);
            assert.ok(layer.body.equals(image.layer), `layer of ${image.id}: ${layer.body.length} bytes served, ${image.layer.length} pushed; a registry serves layers as sent`);
            assert.equal(layer.headers['x-docker-size'], String(image.layer.length));
          }
        } finally {
          drc.close();
        }
        // What Docker 1.5 reads beside: the JSON's size and payload checksum headers, and a resumed layer.
        const { session } = await client().startPull(name);
        const top = chain[2]!;
        const jsonRes = await registryCall(session.token, 'GET', `/v1/images/${top.id}/json`);
        assert.equal(jsonRes.status, 200, brief(jsonRes));
        assert.ok(jsonRes.body.equals(top.json), 'the image JSON must be served as pushed');
        assert.equal(jsonRes.headers.get('x-docker-size'), String(top.layer.length));
        assert.equal(jsonRes.headers.get('x-docker-checksum-payload'), top.checksum);
        const from = 1000;
        const range = await registryCall(session.token, 'GET', `/v1/images/${top.id}/layer`, { headers: { range: `bytes=${from}-${top.layer.length}` } });
        assert.ok([200, 206].includes(range.status), brief(range));
        assert.match(range.headers.get('accept-ranges') ?? '', /bytes/);
        if (range.status === 206) assert.ok(range.body.equals(top.layer.subarray(from)), 'ranged layer read');
        else assert.fail(`Range: bytes=${from}-${top.layer.length} answered 200, not 206: Docker 1.5 resumes layer downloads with it`);
      }));

    it('docker pull (v2, through the bridge) gets the same layers; rootfs.diff_ids are the uncompressed v1 layers', { skip: dockerSkip }, () =>
      logged(async () => {
        const { config, blobs } = await assertBridged(undefined, name, 'latest', chain);
        assert.deepEqual(config.config?.Cmd, ['/bin/echo', 'wharf-v1'], 'the bridged config keeps the v1 config');
        // The v2 layers are the v1 uploads (gzip) or at least their content.
        blobs.forEach((blob, i) => assert.ok(uncompressed(blob).equals(uncompressed(chain[i]!.layer))));
        const pulled = await dockerPullLayers(`${stack.registryHost}/${name}:latest`);
        assert.deepEqual(pulled.diffIds, chain.map((i) => i.diffId), 'docker save of the v2-pulled image must hold the v1 layers, base first');
        assert.deepEqual(pulled.inspect.Config.Cmd, ['/bin/echo', 'wharf-v1']);
        assert.ok(pulled.inspect.Config.Env?.includes('WHARF_V1=yes'), `Env: ${JSON.stringify(pulled.inspect.Config.Env)}`);
      }));

    it('plain tar layers (not gzip) bridge to v2 as well', () =>
      logged(async () => {
        const plain = buildV1Chain(2, uniqueName('v1-plain'), { plainTar: true });
        await client(alice).push(name, 'plain', plain);
        const drc = drcV1(stack.indexHost, name);
        try {
          const layer = await drc.getImgLayer(plain[1]!.id);
          assert.ok(layer.body.equals(plain[1]!.layer), 'a plain tar layer is served as sent');
        } finally {
          drc.close();
        }
        const { manifest } = await assertBridged(undefined, name, 'plain', plain);
        assert.deepEqual(manifest.layers.map((l) => l.mediaType), plain.map(() => 'application/vnd.docker.image.rootfs.diff.tar'), 'a plain tar layer is labelled uncompressed');
        if (!dockerSkip) {
          const pulled = await dockerPullLayers(`${stack.registryHost}/${name}:plain`);
          assert.deepEqual(pulled.diffIds, plain.map((i) => i.diffId));
        }
      }));

    it('one-segment names mean library/<name> on the index and the registry', () =>
      logged(async () => {
        const official = buildV1Chain(2, uniqueName('v1-official'));
        // As Docker 1.5 sends it to a registry other than the Hub: "official", no namespace.
        const pushed = await client(v1StackAdmin).push('official', 'latest', official);
        assert.equal(parseToken(pushed.session.token).repository, 'library/official', pushed.session.token);
        for (const path of ['/v1/repositories/official/tags', '/v1/repositories/library/official/tags']) {
          const tags = await registryCall(pushed.session.token, 'GET', path);
          assert.equal(tags.status, 200, `GET ${path}: ${brief(tags)}`);
          assert.deepEqual(json(tags), { latest: official[1]!.id });
        }
        await stack.apiOk('PATCH', '/api/repositories/library/official', { auth: v1StackAdmin, body: { visibility: 'public' }, expect: [200] });
        const drc = drcV1(stack.indexHost, 'official');
        try {
          assert.deepEqual(await drc.listRepoTags(), { latest: official[1]!.id });
          assert.ok((await drc.getImgLayer(official[0]!.id)).body.equals(official[0]!.layer));
        } finally {
          drc.close();
        }
        const hits = await drcV1(stack.indexHost, 'official').search('official');
        assert.ok(hits.results.some((r) => r.name === 'library/official'), JSON.stringify(hits));
        // Only site admins push there.
        const refused = await client(alice).index('PUT', '/v1/repositories/official/', { headers: { 'x-docker-token': 'true', 'content-type': 'application/json' }, body: '[]' });
        assert.ok([401, 403].includes(refused.status), `alice pushing library/official: ${refused.status} ${refused.text}`);
        await assertBridged(undefined, 'library/official', 'latest', official);
      }));
  });

  describe('every way the registry refuses a v1 token', () => {
    const name = 'alice/priv';
    let chain: V1Image[];
    let aliceWrite: V1Session;
    let stranger: V1Image;

    before(async () => {
      chain = buildV1Chain(2, uniqueName('v1-priv'));
      // Created by the push itself: private, the index's default.
      const pushed = await client(alice).push(name, 'latest', chain);
      aliceWrite = pushed.session;
      await stack.addCollaborator(alice, name, 'bobby', 'read');
      stranger = buildV1Chain(1, uniqueName('v1-stranger'))[0]!;
    });

    /** The image and repository routes of alice/priv, read and write. */
    const reads = () => [
      ['GET', `/v1/repositories/${name}/tags`],
      ['GET', `/v1/repositories/${name}/tags/latest`],
      ['GET', `/v1/images/${chain[1]!.id}/json`],
      ['GET', `/v1/images/${chain[1]!.id}/layer`],
      ['GET', `/v1/images/${chain[1]!.id}/ancestry`],
    ];

    async function assertRefused(token: string | undefined, method: string, path: string, init: { headers?: Record<string, string>; body?: string | Buffer } = {}, statuses = refusedStatuses): Promise<V1Response> {
      const res = await registryCall(token, method, path, init);
      assert.ok(statuses.includes(res.status), `${method} ${path} with ${token === undefined ? 'no token' : `token ${token}`}: expected ${statuses.join('|')}, got ${brief(res)}`);
      return res;
    }

    /** Nothing the refused calls tried stuck: the tags and the top image are as pushed. */
    async function assertUnchanged(): Promise<void> {
      const tags = await registryCall(aliceWrite.token, 'GET', `/v1/repositories/${name}/tags`);
      assert.equal(tags.status, 200, brief(tags));
      assert.deepEqual(json(tags), { latest: chain[1]!.id });
      const image = await registryCall(aliceWrite.token, 'GET', `/v1/images/${stranger.id}/json`);
      assert.equal(image.status, 404, `an image a refused call tried to create: ${brief(image)}`);
    }

    it('a private repository without a token: 401, WWW-Authenticate: Token, "Requires authorization"', () =>
      logged(async () => {
        for (const [method, path] of reads()) {
          const res = await assertRefused(undefined, method!, path!, {}, [401]);
          assert.match(res.headers.get('www-authenticate') ?? '', /^Token/, `${method} ${path}: WWW-Authenticate`);
          assert.deepEqual(json(res), { error: 'Requires authorization' });
        }
        await assertRefused(undefined, 'PUT', `/v1/images/${stranger.id}/json`, { headers: { 'content-type': 'application/json' }, body: stranger.json }, [401]);
        await assertRefused(undefined, 'PUT', `/v1/repositories/${name}/tags/evil`, { body: JSON.stringify(chain[0]!.id) }, [401]);
        // docker-registry-client, even with alice's password, sends no token to the registry's port.
        const drc = drcV1(stack.indexHost, name, { username: 'alice', password: alicePassword });
        try {
          assert.ok((await drc.listRepoImgs()).some((i) => i.id === chain[1]!.id), 'the index lists alice/priv to alice');
          await assert.rejects(drc.listRepoTags(), (err: ClientError) => err.statusCode === 401);
        } finally {
          drc.close();
        }
        await assertUnchanged();
      }));

    it('a token for another repository opens nothing here', () =>
      logged(async () => {
        // alice's own write token, but for alice/other; and carol's for carol/mine.
        const other = await client(alice).startPush('alice/other', [{ id: stranger.id, Tag: 'latest' }]);
        const carols = await client(carol).startPush('carol/mine', [{ id: stranger.id, Tag: 'latest' }]);
        for (const session of [other, carols]) {
          for (const [method, path] of reads()) await assertRefused(session.token, method!, path!, {}, [401, 403, 404]);
          await assertRefused(session.token, 'PUT', `/v1/repositories/${name}/tags/evil`, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(chain[0]!.id) });
          await assertRefused(session.token, 'DELETE', `/v1/repositories/${name}/tags/latest`);
          await assertRefused(session.token, 'DELETE', `/v1/repositories/${name}/`);
        }
        await assertUnchanged();
      }));

    it('a read token cannot write', () =>
      logged(async () => {
        // bobby may read alice/priv; the index gives him a read token and no write one.
        const { session } = await client(bobby).startPull(name);
        assert.equal(parseToken(session.token).access, 'read', session.token);
        const tags = await registryCall(session.token, 'GET', `/v1/repositories/${name}/tags`);
        assert.equal(tags.status, 200, `bobby reads with his read token: ${brief(tags)}`);
        const write = await client(bobby).index('PUT', `/v1/repositories/${name}/`, { headers: { 'x-docker-token': 'true', 'content-type': 'application/json' }, body: '[]' });
        assert.ok([401, 403].includes(write.status), `index PUT /v1/repositories/${name}/ as a read collaborator: ${write.status} ${write.text}`);
        assert.equal(write.headers.get('x-docker-token'), null, 'no token for a refused push');
        // alice's own read token (from a pull) is no write token either.
        const { session: aliceRead } = await client(alice).startPull(name);
        for (const token of [session.token, aliceRead.token]) {
          await assertRefused(token, 'PUT', `/v1/images/${stranger.id}/json`, { headers: { 'content-type': 'application/json' }, body: stranger.json });
          await assertRefused(token, 'PUT', `/v1/images/${stranger.id}/layer`, { headers: { 'content-type': 'application/octet-stream' }, body: stranger.layer });
          await assertRefused(token, 'PUT', `/v1/images/${stranger.id}/checksum`, { headers: { 'x-docker-checksum-payload': stranger.checksum } });
          await assertRefused(token, 'PUT', `/v1/repositories/${name}/tags/evil`, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(chain[0]!.id) });
          await assertRefused(token, 'DELETE', `/v1/repositories/${name}/tags/latest`);
          await assertRefused(token, 'DELETE', `/v1/repositories/${name}/`);
        }
        await assertUnchanged();
      }));

    it('a stranger gets no token for a private repository, and the registry reads nothing to him', () =>
      logged(async () => {
        // 404 to both, as for a repository that does not exist: the answer tells nothing of it.
        for (const [who, auth, statuses] of [['carol', carol, [404]], ['anonymous', undefined, [404]]] as const) {
          const res = await client(auth).index('GET', `/v1/repositories/${name}/images`, { headers: { 'x-docker-token': 'true' } });
          assert.ok((statuses as readonly number[]).includes(res.status), `index GET /v1/repositories/${name}/images as ${who}: ${res.status} ${res.text}`);
          assert.equal(res.headers.get('x-docker-token'), null, `a token for ${who}: ${res.headers.get('x-docker-token')}`);
          assert.doesNotMatch(res.text, new RegExp(chain[1]!.id), `the refusal lists alice's images to ${who}`);
        }
        // Nor does the search show it to them; alice sees it.
        for (const [who, auth] of [['carol', carol], ['anonymous', undefined]] as const) {
          const search = await client(auth).index('GET', '/v1/search?q=priv');
          assert.equal(search.status, 200, search.text);
          assert.ok(!(JSON.parse(search.text) as { results: { name: string }[] }).results.some((r) => r.name === name), `search shows alice/priv to ${who}`);
        }
        const own = await client(alice).index('GET', '/v1/search?q=priv');
        assert.ok((JSON.parse(own.text) as { results: { name: string }[] }).results.some((r) => r.name === name), `search hides alice/priv from alice: ${own.text}`);
        // A stranger's token edited to name alice/priv (signature kept) is no token for it.
        const carols = await client(carol).startPush('carol/edited', [{ id: stranger.id }]);
        const edited = carols.token.replace(/repository\s*[=:]\s*"?[^",]*"?/, `repository="${name}"`).replace(/access\s*[=:]\s*\w+/, 'access=read');
        assert.notEqual(edited, carols.token);
        for (const [method, path] of reads()) await assertRefused(edited, method!, path!, {}, [401]);
      }));

    it('a forged signature is refused, on the registry and on the index', () =>
      logged(async () => {
        const { session } = await client(alice).startPull(name);
        const fields = parseToken(session.token);
        const forged = [
          `signature=${'0'.repeat(40)},repository="${name}",access=read`,
          `signature=${fields.signature!.slice(0, -4)}beef,repository="${name}",access=read`,
          `signature=,repository="${name}",access=read`,
          `repository="${name}",access=read`,
          'garbage',
        ];
        // bobby's read token edited to access=write: the signature does not cover it.
        const { session: bobbys } = await client(bobby).startPull(name);
        const escalated = bobbys.token.replace(/access\s*[=:]\s*\w+/, 'access=write');
        for (const token of forged) for (const [method, path] of reads()) await assertRefused(token, method!, path!, {}, [401]);
        await assertRefused(escalated, 'PUT', `/v1/images/${stranger.id}/json`, { headers: { 'content-type': 'application/json' }, body: stranger.json });
        await assertRefused(escalated, 'PUT', `/v1/repositories/${name}/tags/evil`, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(chain[0]!.id) });
        // The index's own validation routes refuse the forgery and accept the real token.
        const check = (token: string) => client().index('GET', `/v1/repositories/${name}/images`, { headers: { authorization: `Token ${token}` } });
        assert.equal((await check(session.token)).status, 200, 'the index accepts its own token');
        for (const token of forged) {
          const res = await check(token);
          assert.ok([401, 403].includes(res.status), `index GET images with forged token ${token}: ${res.status} ${res.text}`);
        }
        await assertUnchanged();
      }));

    it('a public repository made private stops serving anonymous v1 reads once the cached answer runs out', () =>
      logged(async () => {
        const flip = 'alice/flip';
        const image = buildV1Chain(1, uniqueName('v1-flip'))[0]!;
        await stack.createRepository(alice, flip, 'public');
        await client(alice).push(flip, 'latest', [image]);
        const before = await registryCall(undefined, 'GET', `/v1/images/${image.id}/layer`);
        assert.equal(before.status, 200, `anonymous read of a public repository: ${brief(before)}`);
        await stack.apiOk('PATCH', `/api/repositories/${flip}`, { auth: alice, body: { visibility: 'private' }, expect: [200] });
        const deadline = Date.now() + 15_000;
        let last: V1Response;
        do {
          last = await registryCall(undefined, 'GET', `/v1/repositories/${flip}/tags`);
          if (last.status === 401) break;
          await new Promise((r) => setTimeout(r, 500));
        } while (Date.now() < deadline);
        assert.equal(last.status, 401, `anonymous tags of a repository made private 15 s ago (token cache: 2 s): ${brief(last)}`);
        for (const part of ['json', 'layer', 'ancestry']) await assertRefused(undefined, 'GET', `/v1/images/${image.id}/${part}`, {}, [401, 404]);
      }));

    it('the token of a user deleted afterwards is refused', () =>
      logged(async () => {
        const image = buildV1Chain(1, uniqueName('v1-dave'))[0]!;
        const davesClient = client(dave);
        const used = await davesClient.startPush('dave/app', [{ id: image.id, Tag: 'latest' }]);
        const unused = await client(dave).startPush('dave/app', [{ id: image.id, Tag: 'latest' }]);
        const put = await davesClient.putJson(used, image);
        assert.equal(put.status, 200, `dave's token works while he exists: ${put.text}`);
        await stack.deleteOwnAccount(dave);
        // A token never used before is refused at once; one the registry has seen may live for its token cache's TTL.
        await assertRefused(unused.token, 'PUT', `/v1/images/${image.id}/layer`, { headers: { 'content-type': 'application/octet-stream' }, body: image.layer }, [401, 403, 404]);
        // The stack caches the index's "yes" for 2 s (registry.v1.tokenCacheTtl).
        const deadline = Date.now() + 15_000;
        let last: V1Response;
        do {
          last = await registryCall(used.token, 'GET', `/v1/repositories/dave/app/tags`);
          if (refusedStatuses.includes(last.status) || last.status === 404) break;
          await new Promise((r) => setTimeout(r, 500));
        } while (Date.now() < deadline);
        assert.ok([401, 403, 404].includes(last.status), `dave's token 15 s after his account was deleted (token cache: 2 s): ${brief(last)}`);
        await assertRefused(used.token, 'PUT', `/v1/images/${image.id}/layer`, { headers: { 'content-type': 'application/octet-stream' }, body: image.layer }, [401, 403, 404]);
        const login = await client(dave).index('GET', '/v1/users/');
        assert.equal(login.status, 401, `GET /v1/users/ as deleted dave: ${login.status} ${login.text}`);
      }));

    it('a collaborator removed loses his read token (once the cached answer runs out)', () =>
      logged(async () => {
        const { session } = await client(bobby).startPull(name);
        const path = `/v1/repositories/${name}/tags`;
        assert.equal((await registryCall(session.token, 'GET', path)).status, 200);
        await stack.apiOk('DELETE', `/api/repositories/${name}/collaborators/bobby`, { auth: alice, expect: [200, 204] });
        const last = await pollUntil(() => registryCall(session.token, 'GET', path), [401, 403]);
        assert.ok([401, 403].includes(last.status), `bobby's read token 15 s after he was removed (token cache: 2 s): ${brief(last)}`);
        const layer = await registryCall(session.token, 'GET', `/v1/images/${chain[1]!.id}/layer`);
        assert.ok([401, 403].includes(layer.status), brief(layer));
        const again = await client(bobby).index('GET', `/v1/repositories/${name}/images`, { headers: { 'x-docker-token': 'true' } });
        assert.ok([403, 404].includes(again.status), `index GET images as removed bobby: ${again.status} ${again.text}`);
      }));
  });

  describe('one image in two repositories (each repository keeps its own copy of an id)', () => {
    let chain: V1Image[];

    before(async () => {
      chain = buildV1Chain(2, uniqueName('v1-twice'));
      await client(alice).push('alice/first', 'latest', chain);
    });

    it('alice pushes the same image to a second private repository of hers (docker tag + push)', () =>
      logged(async () => {
        const copy = await client(alice).push('alice/second', 'latest', chain);
        assert.deepEqual([...copy.skipped, ...copy.pushed].sort(), chain.map((i) => i.id).sort());
        const { session } = await client(alice).startPull('alice/second');
        const tags = await registryCall(session.token, 'GET', '/v1/repositories/alice/second/tags');
        assert.deepEqual(json(tags), { latest: chain[1]!.id });
        await assertBridged(alice, 'alice/second', 'latest', chain);
      }));

    it('alice pushes an image built on the base image of another private repository of hers', () =>
      logged(async () => {
        const child = chainOf(makeLayers(1, uniqueName('v1-child'), 24), 'child', { parent: chain[0]! });
        const pushed = await client(alice).push('alice/third', 'latest', [chain[0]!, ...child]);
        // The base is uploaded again: alice/third holds no copy of it (its layer stays one blob).
        assert.deepEqual(pushed.pushed, [chain[0]!.id, child[0]!.id]);
        await assertBridged(alice, 'alice/third', 'latest', [chain[0]!, ...child]);
      }));

    it('carol reaches none of alice\'s private images; her push of the same ids is her own copy', () =>
      logged(async () => {
        // v1 ids are not content addresses: an image alice uploaded never answers carol's push
        // (not even when carol sends its exact JSON), so carol uploads her own bytes.
        const child = chainOf(makeLayers(1, uniqueName('v1-graft'), 24), 'graft', { parent: chain[0]! });
        const carols = client(carol);
        const session = await carols.startPush('carol/graft', []);
        for (const image of chain.slice(1)) {
          for (const part of ['json', 'layer', 'ancestry']) {
            const res = await registryCall(session.token, 'GET', `/v1/images/${image.id}/${part}`);
            assert.ok([401, 403, 404].includes(res.status), `carol reads alice's private image ${part}: ${brief(res)}`);
          }
        }
        const tag = await carols.putTag(session, 'carol/graft', 'stolen', chain[1]!.id);
        assert.ok(tag.status >= 400, `carol tags alice's private image: ${tag.status} ${tag.text}`);
        const forged = { ...chain[1]!, json: Buffer.from(JSON.stringify({ ...JSON.parse(chain[1]!.json.toString('utf8')), comment: 'not the stored JSON' })) };
        const mismatch = await carols.putJson(session, forged);
        assert.equal(mismatch.status, 400, 'its parent is not carol\'s');
        assert.ok((await carols.putTag(session, 'carol/graft', 'stolen', chain[1]!.id)).status >= 400, 'a different JSON joins nothing');
        await carols.push('carol/graft', 'latest', [chain[0]!, ...child]);
        const ancestry = await registryCall(session.token, 'GET', `/v1/images/${child.at(-1)!.id}/ancestry`);
        assert.equal(ancestry.status, 200, brief(ancestry));
      }));
  });

  describe('an interrupted push', () => {
    const name = 'alice/retry';
    let chain: V1Image[];
    let first: V1Session;

    before(async () => {
      await stack.createRepository(alice, name, 'public');
      chain = buildV1Chain(3, uniqueName('v1-retry'));
    });

    it('the registry answers a push\'s misordered or malformed calls as the contract says', () =>
      logged(async () => {
        const [base, child] = buildV1Chain(2, uniqueName('v1-errors')) as [V1Image, V1Image];
        const pusher = client(alice);
        const session = await pusher.startPush('alice/errors', [{ id: base.id }, { id: child.id, Tag: 'latest' }]);
        const unknown = await pusher.getJson(session, base.id);
        assert.equal(unknown.status, 404);
        assert.deepEqual(json(unknown), { error: 'Image not found' });
        const noJson = await pusher.putLayer(session, base);
        assert.equal(noJson.status, 404, `PUT layer before PUT json: ${brief(noJson)}`);
        const orphan = await pusher.putJson(session, child);
        assert.equal(orphan.status, 400, `PUT json whose parent is not there: ${brief(orphan)}`);
        const mismatch = await pusher.registry(session, 'PUT', `/v1/images/${child.id}/json`, { headers: { 'content-type': 'application/json' }, body: base.json });
        assert.equal(mismatch.status, 400, `PUT json whose id is not the URL's: ${brief(mismatch)}`);
        const notJson = await pusher.registry(session, 'PUT', `/v1/images/${base.id}/json`, { headers: { 'content-type': 'application/json' }, body: '{"id": ' });
        assert.equal(notJson.status, 400, `PUT json that is not JSON: ${brief(notJson)}`);
        assert.equal((await pusher.putJson(session, base)).status, 200);
        const noLayer = await pusher.putChecksum(session, base);
        assert.ok([400, 404].includes(noLayer.status), `PUT checksum before PUT layer: ${brief(noLayer)}`);
        assert.equal((await pusher.putLayer(session, base)).status, 200);
        assert.equal((await pusher.putChecksum(session, base)).status, 200);
        const again = await pusher.putLayer(session, base);
        assert.equal(again.status, 409, `PUT layer of a complete image: ${brief(again)}`);
        const badTag = await pusher.registry(session, 'PUT', '/v1/repositories/alice/errors/tags/latest', { headers: { 'content-type': 'application/json' }, body: base.id });
        assert.equal(badTag.status, 400, `PUT tag whose body is not a JSON string: ${brief(badTag)}`);
        const unknownTag = await pusher.putTag(session, 'alice/errors', 'latest', child.id);
        assert.equal(unknownTag.status, 404, `PUT tag → an image that is not there: ${brief(unknownTag)}`);
        assert.equal((await pusher.putTag(session, 'alice/errors', 'latest', base.id)).status, 200);
        const tag = await registryCall(session.token, 'GET', '/v1/repositories/alice/errors/tags/latest');
        assert.equal(tag.status, 200);
        assert.equal(json(tag), base.id);
        const noTag = await registryCall(session.token, 'GET', '/v1/repositories/alice/errors/tags/nope');
        assert.equal(noTag.status, 404, brief(noTag));
      }));

    it('stopped after PUT layer and before PUT checksum, it leaves nothing visible', () =>
      logged(async () => {
        const top = chain[2]!;
        const result = await client(alice).push(name, 'latest', chain, { interruptAfter: { imageId: top.id, step: 'layer' } });
        assert.ok(result.interrupted);
        first = result.session;
        const res = await registryCall(first.token, 'GET', `/v1/images/${top.id}/json`);
        assert.ok([400, 404].includes(res.status), `GET json of an image without its checksum: expected 400 (unfinished) or 404, got ${brief(res)}`);
        for (const part of ['layer', 'ancestry']) {
          const r = await registryCall(first.token, 'GET', `/v1/images/${top.id}/${part}`);
          assert.ok([400, 404].includes(r.status), `GET ${part} of an unfinished image: ${brief(r)}`);
        }
        const tag = await client(alice).putTag(first, name, 'latest', top.id);
        assert.ok(tag.status >= 400 && tag.status < 500, `PUT tag → unfinished image: expected 4xx, got ${tag.status} ${tag.text}`);
        const tags = await registryCall(first.token, 'GET', `/v1/repositories/${name}/tags`);
        assert.ok(tags.status === 404 || (tags.status === 200 && !Object.values(json(tags) as Record<string, string>).includes(top.id)), `tags: ${brief(tags)}`);
        // A wrong payload checksum or none at all does not finish it either.
        const wrong = await client(alice).putChecksum(first, top, `sha256:${'0'.repeat(64)}`);
        assert.equal(wrong.status, 400, `PUT checksum with a wrong payload checksum: ${wrong.status} ${wrong.text}`);
        const missing = await client(alice).registry(first, 'PUT', `/v1/images/${top.id}/checksum`);
        assert.equal(missing.status, 412, `PUT checksum without X-Docker-Checksum-Payload: ${missing.status} ${missing.text}`);
        const after = await registryCall(first.token, 'GET', `/v1/images/${top.id}/json`);
        assert.notEqual(after.status, 200, 'a refused checksum finished the image');
        // Over v2 there is nothing to pull either.
        const manifest = await v2(undefined, name, 'manifests/latest');
        assert.equal(manifest.status, 404, `v2 manifest of the interrupted push: ${brief(manifest)}`);
        if (!dockerSkip) {
          const pull = await anonymousDocker.try(['pull', `${stack.registryHost}/${name}:latest`]);
          assert.notEqual(pull.code, 0, `docker pull of an interrupted push succeeded:\n${pull.stdout}`);
          assert.match(pull.stderr, /not found|manifest unknown/i);
        }
        // A v1 pull sees no tag.
        const drc = drcV1(stack.indexHost, name);
        try {
          const drcTags = await drc.listRepoTags().catch((err: ClientError) => (err.statusCode === 404 ? {} : Promise.reject(err)));
          assert.ok(!Object.values(drcTags).includes(top.id), JSON.stringify(drcTags));
        } finally {
          drc.close();
        }
      }));

    it('the retry skips the finished parents, completes the image and pulls', () =>
      logged(async () => {
        const retry = await client(alice).push(name, 'latest', chain);
        assert.deepEqual(retry.skipped, [chain[0]!.id, chain[1]!.id], 'the parents were complete');
        assert.deepEqual(retry.pushed, [chain[2]!.id]);
        const drc = drcV1(stack.indexHost, name);
        try {
          assert.deepEqual(await drc.listRepoTags(), { latest: chain[2]!.id });
          assert.deepEqual(await drc.getImgAncestry(chain[2]!.id), chain.map((i) => i.id).reverse());
          const layer = await drc.getImgLayer(chain[2]!.id);
          assert.ok(layer.body.equals(chain[2]!.layer));
        } finally {
          drc.close();
        }
        await assertBridged(undefined, name, 'latest', chain);
        if (!dockerSkip) {
          const pulled = await dockerPullLayers(`${stack.registryHost}/${name}:latest`);
          assert.deepEqual(pulled.diffIds, chain.map((i) => i.diffId));
        }
      }));

    it('a layer upload cut off mid-stream leaves nothing, and the retry completes', () =>
      logged(async () => {
        const cut = buildV1Chain(2, uniqueName('v1-cut'));
        const top = cut[1]!;
        const pusher = client(alice);
        const stopped = await pusher.push(name, 'cut', cut, { interruptAfter: { imageId: top.id, step: 'json' } });
        assert.ok(stopped.interrupted);
        const message = await pusher.putLayerCutOff(stopped.session, top, Math.floor(top.layer.length / 2));
        assert.ok(message, 'the cut-off upload failed on the client side');
        for (const part of ['json', 'layer']) {
          const res = await registryCall(stopped.session.token, 'GET', `/v1/images/${top.id}/${part}`);
          assert.ok([400, 404].includes(res.status), `GET ${part} after a cut-off layer upload: ${brief(res)}`);
        }
        // The half layer is not the layer: its checksum cannot finish the image.
        const early = await pusher.putChecksum(stopped.session, top);
        assert.ok([400, 404].includes(early.status), `PUT checksum after a cut-off upload: ${brief(early)}`);
        const retry = await client(alice).push(name, 'cut', cut);
        assert.deepEqual(retry.skipped, [cut[0]!.id]);
        assert.deepEqual(retry.pushed, [top.id]);
        const layer = await registryCall(retry.session.token, 'GET', `/v1/images/${top.id}/layer`);
        assert.equal(layer.status, 200, brief(layer));
        assert.ok(layer.body.equals(top.layer), 'the retried layer is served whole');
        await assertBridged(undefined, name, 'cut', cut);
      }));
  });

  describe('delete (the spec\'s scenario C): index, then registry, then index', () => {
    const doomed = 'alice/doomed';
    const keeper = 'alice/keeper';
    let keeperChain: V1Image[];
    let doomedChain: V1Image[];
    let staleRead: V1Session;

    before(async () => {
      // doomed builds on keeper's base image (its own copy of it); doomed's middle image is a new
      // image whose layer has the same bytes as keeper's top layer: one v2 blob in both.
      await stack.createRepository(alice, keeper, 'public');
      await stack.createRepository(alice, doomed, 'public');
      const label = uniqueName('v1-delete');
      keeperChain = buildV1Chain(2, `${label} keeper`);
      const [sharedBase, keeperTop] = keeperChain as [V1Image, V1Image];
      const keeperTopLayer = { tar: keeperTop.tar, diffId: keeperTop.diffId, gzip: keeperTop.layer, digest: sha256(keeperTop.layer) };
      const [sameBytes] = chainOf([keeperTopLayer], `${label} same bytes`, { parent: sharedBase });
      const [own] = chainOf(makeLayers(1, `${label} doomed`, 24), `${label} doomed`, { parent: sameBytes! });
      doomedChain = [sharedBase, sameBytes!, own!];
      await client(alice).push(keeper, 'latest', keeperChain);
      const pushed = await client(alice).push(doomed, 'latest', doomedChain);
      // keeper's base is keeper's: doomed uploads its own copy (one blob for both).
      assert.deepEqual(pushed.skipped, []);
      assert.deepEqual(pushed.pushed, [sharedBase.id, sameBytes!.id, own!.id]);
      // Before: doomed is served on both protocols.
      await assertBridged(undefined, doomed, 'latest', doomedChain);
      staleRead = (await client(alice).startPull(doomed)).session;
      const tags = await registryCall(staleRead.token, 'GET', `/v1/repositories/${doomed}/tags`);
      assert.deepEqual(json(tags), { latest: doomedChain[2]!.id });
    });

    it('only a delete token deletes, only its own repository, and it reads nothing', () =>
      logged(async () => {
        const scratch = 'alice/scratch';
        const [image] = buildV1Chain(1, uniqueName('v1-scratch')) as [V1Image];
        const pushed = await client(alice).push(scratch, 'latest', [image]);
        // The push's write token may not delete the repository.
        const byWrite = await registryCall(pushed.session.token, 'DELETE', `/v1/repositories/${scratch}/`);
        assert.ok(refusedStatuses.includes(byWrite.status), `DELETE with a write token: ${brief(byWrite)}`);
        // The delete token: not for reads, not for another repository (alice/keeper is hers too).
        const start = await client(alice).index('DELETE', `/v1/repositories/${scratch}/`, { headers: { 'x-docker-token': 'true' } });
        assert.equal(start.status, 202, `index DELETE: ${start.status} ${start.text}`);
        const token = start.headers.get('x-docker-token') ?? '';
        assert.equal(parseToken(token).access, 'delete', token);
        for (const path of [`/v1/repositories/${scratch}/tags`, `/v1/images/${image.id}/json`]) {
          const read = await registryCall(token, 'GET', path);
          assert.ok(refusedStatuses.includes(read.status), `GET ${path} with a delete token: ${brief(read)}`);
        }
        const other = await registryCall(token, 'DELETE', `/v1/repositories/${keeper}/`);
        assert.ok(refusedStatuses.includes(other.status), `DELETE ${keeper} with ${scratch}'s delete token: ${brief(other)}`);
        const forged = await registryCall(token.replace(/repository\s*[=:]\s*"?[^",]*"?/, `repository="${keeper}"`), 'DELETE', `/v1/repositories/${keeper}/`);
        assert.ok(refusedStatuses.includes(forged.status), `DELETE ${keeper} with the delete token edited to name it: ${brief(forged)}`);
        const keeperTags = await registryCall(undefined, 'GET', `/v1/repositories/${keeper}/tags`);
        assert.equal(keeperTags.status, 200, brief(keeperTags));
        // Finish the delete the way Docker would.
        const done = await registryCall(token, 'DELETE', `/v1/repositories/${scratch}/`);
        assert.equal(done.status, 200, brief(done));
        const last = await client(alice).index('DELETE', `/v1/repositories/${scratch}/`);
        assert.equal(last.status, 200, `index DELETE after the registry: ${last.status} ${last.text}`);
      }));

    it('deletes with Docker\'s three calls', () =>
      logged(async () => {
        const deleter = client(alice);
        const result = await deleter.deleteRepository(doomed);
        assert.equal(parseToken(result.session.token).access, 'delete', result.session.token);
        assert.equal(parseToken(result.session.token).repository, doomed, result.session.token);
        assert.deepEqual(result.calls.map((c) => `${c.service} ${c.method} ${c.path} ${c.status}`), [
          `index DELETE /v1/repositories/${doomed}/ 202`,
          `registry DELETE /v1/repositories/${doomed}/ 200`,
          `index DELETE /v1/repositories/${doomed}/ 200`,
        ]);
      }));

    it('nothing of the repository is served or listed on either protocol', () =>
      logged(async () => {
        // Index: no images, no token, no search hit, no repository.
        for (const auth of [alice, undefined]) {
          const images = await client(auth).index('GET', `/v1/repositories/${doomed}/images`, { headers: { 'x-docker-token': 'true' } });
          assert.equal(images.status, 404, `index GET images of a deleted repository: ${images.status} ${images.text}`);
          assert.equal(images.headers.get('x-docker-token'), null);
          const search = await client(auth).index('GET', '/v1/search?q=doomed');
          assert.deepEqual((JSON.parse(search.text) as { results: unknown[] }).results, [], `search after delete: ${search.text}`);
        }
        assert.equal((await stack.api('GET', `/api/repositories/${doomed}`, { auth: alice })).status, 404);
        const listing = await stack.apiOk<{ repositories: { name: string }[] }>('GET', '/api/namespaces/alice/repositories', { auth: alice });
        assert.ok(!listing.repositories.some((r) => r.name === doomed), JSON.stringify(listing));
        // Registry v1, with the read token issued before the delete and with no token.
        for (const token of [staleRead.token, undefined]) {
          for (const path of [`/v1/repositories/${doomed}/tags`, `/v1/repositories/${doomed}/tags/latest`, `/v1/images/${doomedChain[2]!.id}/json`, `/v1/images/${doomedChain[2]!.id}/layer`, `/v1/images/${doomedChain[1]!.id}/ancestry`]) {
            const res = await registryCall(token, 'GET', path);
            assert.ok([401, 403, 404].includes(res.status), `GET ${path} after delete (${token ? 'old token' : 'no token'}): ${brief(res)}`);
          }
        }
        // Registry v2: no tags, no manifest, no blob of its own.
        for (const auth of [alice, undefined]) {
          const tags = await v2(auth, doomed, 'tags/list');
          assert.ok([401, 404].includes(tags.status) || (tags.status === 200 && ((json(tags) as { tags: string[] | null }).tags ?? []).length === 0), `v2 tags/list after delete: ${brief(tags)}`);
          const manifest = await v2(auth, doomed, 'manifests/latest');
          assert.ok([401, 404].includes(manifest.status), `v2 manifest after delete: ${brief(manifest)}`);
          const blob = await v2(auth, doomed, `blobs/${sha256(doomedChain[2]!.layer)}`, '*/*');
          assert.ok([401, 404].includes(blob.status), `v2 blob of the deleted repository: ${brief(blob)}`);
        }
        // docker-registry-client finds nothing either.
        const drc = drcV1(stack.indexHost, doomed);
        try {
          await assert.rejects(drc.listRepoImgs(), (err: ClientError) => err.statusCode === 404);
        } finally {
          drc.close();
        }
      }));

    it('the image and the blob it shared with another repository still serve there', () =>
      logged(async () => {
        const { session } = await client(alice).startPull(keeper);
        for (const image of keeperChain) {
          const layer = await registryCall(session.token, 'GET', `/v1/images/${image.id}/layer`);
          assert.equal(layer.status, 200, brief(layer));
          assert.ok(layer.body.equals(image.layer));
          const imageJson = await registryCall(session.token, 'GET', `/v1/images/${image.id}/json`);
          assert.equal(imageJson.status, 200, brief(imageJson));
        }
        const tags = await registryCall(session.token, 'GET', `/v1/repositories/${keeper}/tags`);
        assert.deepEqual(json(tags), { latest: keeperChain[1]!.id });
        const ancestry = await registryCall(session.token, 'GET', `/v1/images/${keeperChain[1]!.id}/ancestry`);
        assert.deepEqual(json(ancestry), [keeperChain[1]!.id, keeperChain[0]!.id]);
        await assertBridged(undefined, keeper, 'latest', keeperChain);
        // The doomed repository's own images are gone even where a token could name them.
        const gone = await registryCall(session.token, 'GET', `/v1/images/${doomedChain[2]!.id}/json`);
        assert.ok([401, 403, 404].includes(gone.status), `an image only the deleted repository had: ${brief(gone)}`);
        const images = await request(`${stack.indexUrl}/v1/repositories/${keeper}/images`, { headers: { authorization: basicAuth(alice) } });
        assert.equal(images.status, 200);
        if (!dockerSkip) {
          const pulled = await dockerPullLayers(`${stack.registryHost}/${keeper}:latest`);
          assert.deepEqual(pulled.diffIds, keeperChain.map((i) => i.diffId));
        }
      }));

    it('the deleted repository can be pushed again, with the same image', () =>
      logged(async () => {
        // Docker 1.5: every GET json says 404 (not in this repository any more), so it pushes.
        const again = await client(alice).push(doomed, 'latest', doomedChain);
        assert.equal(again.interrupted, false);
        const { session } = await client(alice).startPull(doomed);
        const tags = await registryCall(session.token, 'GET', `/v1/repositories/${doomed}/tags`);
        assert.deepEqual(json(tags), { latest: doomedChain[2]!.id });
        await assertBridged(alice, doomed, 'latest', doomedChain);
      }));
  });
});
