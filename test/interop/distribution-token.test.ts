// Wharf's token server and registry each work with a foreign counterpart that only follows the
// Docker token specification:
//  1. CNCF Distribution 2.8 (`docker-registry serve`) trusts Wharf's index: auth.token with the
//     index's realm, service and issuer and a rootcertbundle fetched from
//     <index>/keys/certificates.pem. `docker login` there with alice's Wharf credentials, then
//     push, rmi and pull work; bobby cannot push into alice's namespace; the index's repository
//     visibility governs anonymous pulls there too.
//  2. A Wharf registry (`wharf registry`, token mode, rootCertBundle) trusts a stand-in token
//     server written here (node http + jsonwebtoken, RS256): tokens identified by the libtrust
//     key id of a bundled certificate (kid) or by an x5c chain ending at a bundled CA both work
//     for skopeo push and pull; a pull-only grant cannot push; tokens with an unknown key, a
//     wrong issuer or audience, or an expiry in the past are refused.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { libtrustKeyId } from '@wharf/shared';
import { requireClient } from '../helpers/clients.js';
import { startDistribution } from '../helpers/distribution.js';
import { requireDocker, uniqueName } from '../helpers/docker.js';
import { buildOciImage, dockerArchive, makeLayers, writeOciLayout, type BuiltImage } from '../helpers/images.js';
import { freePort, processTempDir, runOk, withLogs } from '../helpers/process.js';
import { manifestAccept, request } from '../helpers/registry-api.js';
import { skopeoCopy, skopeoTry } from '../helpers/skopeo.js';
import { startWharf, type RunningRegistry } from '../helpers/stack.js';
import { dockerAs, startWharfStack, type DockerClient, type WharfStack } from '../helpers/wharf-stack.js';

const alicePassword = 'alice-correct-horse';
const bobbyPassword = 'bobby-battery-staple';
const alice = `alice:${alicePassword}`;
const refused = /denied|unauthorized|authentication required|may require 'docker login'/i;

describe('Distribution 2.8 trusts the Wharf index as its token server', () => {
  const skip = requireDocker('docker-registry');
  let stack: WharfStack;
  let distribution: RunningRegistry;
  let work: string;
  let asAlice: DockerClient;
  let asBobby: DockerClient;
  let anonymous: DockerClient;
  const loaded = new Set<string>();
  const logs = () => `--- distribution ---\n${distribution?.logs().slice(-3000)}\n--- wharf serve ---\n${stack?.logs().slice(-3000)}`;
  const logged = <T>(fn: () => Promise<T>) => withLogs({ logs }, fn);

  async function load(ref: string, layers = 2): Promise<string> {
    const { archive, imageId } = dockerArchive(ref, makeLayers(layers, `${ref} ${uniqueName('img')}`), ref);
    const file = join(work, `${uniqueName('archive')}.tar`);
    await writeFile(file, archive);
    await anonymous.ok('load', '-i', file);
    loaded.add(imageId);
    return imageId;
  }

  async function removeLocal(id: string): Promise<void> {
    await anonymous.ok('rmi', '-f', id);
    assert.notEqual((await anonymous.try(['image', 'inspect', id])).code, 0, `image ${id} still present after rmi`);
  }

  before(async () => {
    if (skip) return;
    work = processTempDir('wharf-distribution-token-');
    asAlice = dockerAs(join(work, 'docker-alice'));
    asBobby = dockerAs(join(work, 'docker-bobby'));
    anonymous = dockerAs(join(work, 'docker-anonymous'));
    stack = await startWharfStack();
    await stack.signUp('alice', alicePassword);
    // bobby is made by the operator's CLI against the running index's database.
    await stack.addUser('bobby', bobbyPassword);
    const bundle = join(work, 'wharf-index.pem');
    await writeFile(bundle, await stack.certificatesPem());
    distribution = await startDistribution({
      token: { realm: `${stack.indexUrl}/token`, service: 'wharf-registry', issuer: 'wharf-index', rootCertBundle: bundle },
      // info: a refused token's reason is in the log tail a failure shows.
      logLevel: 'info',
    });
  });

  after(async () => {
    if (skip) return;
    for (const id of loaded) await anonymous?.try(['rmi', '-f', id]);
    await distribution?.stop();
    await stack?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('challenges with the index as realm', { skip }, async () => {
    const res = await request(`${distribution.url}/v2/`);
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), `Bearer realm="${stack.indexUrl}/token",service="wharf-registry"`);
  });

  it('alice logs in to Distribution with her Wharf password, pushes, removes and pulls', { skip }, () =>
    logged(async () => {
      const wrong = await asAlice.login(distribution.host, 'alice', 'not-her-password');
      assert.notEqual(wrong.code, 0, `login with a wrong password succeeded:\n${wrong.stdout}`);
      const login = await asAlice.login(distribution.host, 'alice', alicePassword);
      assert.equal(login.code, 0, login.stderr);
      assert.match(login.stdout, /Login Succeeded/);
      const ref = `${distribution.host}/alice/app:v1`;
      const id = await load(ref, 3);
      const push = await asAlice.ok('push', ref);
      const digest = /digest: (sha256:[0-9a-f]{64})/.exec(push.stdout)?.[1];
      assert.ok(digest, push.stdout);
      await removeLocal(id);
      const pull = await asAlice.ok('pull', ref);
      assert.match(pull.stdout, new RegExp(`Digest: ${digest}`));
      assert.equal((await anonymous.ok('image', 'inspect', '--format', '{{.Id}}', ref)).stdout.trim(), id);
      // Distribution checks the index's token itself: a token from the index for alice works over HTTP.
      const { token } = await stack.registryToken(alice, 'repository:alice/app:pull');
      const manifest = await request(`${distribution.url}/v2/alice/app/manifests/v1`, { headers: { accept: manifestAccept, authorization: `Bearer ${token}` } });
      assert.equal(manifest.status, 200, manifest.body.toString('utf8'));
      assert.equal(manifest.headers.get('docker-content-digest'), digest);
    }));

  it('bobby logs in to Distribution but cannot push to alice/…; anonymous cannot pull', { skip }, () =>
    logged(async () => {
      const login = await asBobby.login(distribution.host, 'bobby', bobbyPassword);
      assert.equal(login.code, 0, login.stderr);
      const ref = `${distribution.host}/alice/app:bobby-was-here`;
      await load(ref);
      const push = await asBobby.try(['push', ref]);
      assert.notEqual(push.code, 0, `bobby pushed to alice/app on Distribution:\n${push.stdout}`);
      assert.match(push.stderr + push.stdout, refused);
      // bobby's own namespace is his.
      const own = `${distribution.host}/bobby/app:v1`;
      await load(own);
      await asBobby.ok('push', own);
      const pull = await anonymous.try(['pull', `${distribution.host}/alice/app:v1`]);
      assert.notEqual(pull.code, 0, `anonymous pull of alice/app from Distribution succeeded:\n${pull.stdout}`);
      assert.match(pull.stderr, refused);
    }));

  it('a repository public in the index pulls anonymously from Distribution', { skip }, () =>
    logged(async () => {
      await stack.createRepository(alice, 'alice/shared', 'public');
      const ref = `${distribution.host}/alice/shared:v1`;
      const id = await load(ref);
      await asAlice.ok('push', ref);
      await removeLocal(id);
      await anonymous.ok('pull', ref);
      assert.equal((await anonymous.ok('image', 'inspect', '--format', '{{.Id}}', ref)).stdout.trim(), id);
    }));
});

// ---------------------------------------------------------------------------------------------

interface Signer {
  privateKey: KeyObject;
  header: Record<string, unknown>;
}

type Mode = 'kid' | 'x5c' | 'untrusted';

interface StandInTokenServer {
  url: string;
  realm: string;
  /** Which key (and header) the next tokens are signed with. */
  mode: Mode;
  /** Every token request: the Basic user (if any), service and scopes. */
  requests: { user: string | undefined; service: string | null; scopes: string[]; mode: Mode }[];
  /** A token for direct use, with claims overridden as given. */
  sign(access: { type: string; name: string; actions: string[] }[], claims?: Record<string, unknown>, mode?: Mode): string;
  stop(): Promise<void>;
}

const standIn = { issuer: 'stand-in-issuer', service: 'stand-in-registry' };
/** user → [password, the actions that user is granted on standin/* repositories] */
const standInUsers: Record<string, [string, string[]]> = {
  tester: ['tester-secret', ['pull', 'push', 'delete']],
  reader: ['reader-secret', ['pull']],
};

/**
 * The token server of token.md and nothing more: GET /token with optional Basic credentials,
 * `service` and repeated `scope`; answers {token, access_token, expires_in, issued_at}. Grants
 * the intersection of what was asked and what the user holds on `standin/…`; anonymous gets none.
 */
async function startStandIn(signers: Record<Mode, Signer>): Promise<StandInTokenServer> {
  const requests: StandInTokenServer['requests'] = [];
  const state = { mode: 'kid' as Mode };
  const sign: StandInTokenServer['sign'] = (access, claims = {}, mode = state.mode) => {
    const now = Math.floor(Date.now() / 1000);
    const payload = { iss: standIn.issuer, sub: '', aud: standIn.service, exp: now + 300, nbf: now - 5, iat: now, jti: randomBytes(12).toString('hex'), access, ...claims };
    const signer = signers[mode];
    return jwt.sign(payload, signer.privateKey, { algorithm: 'RS256', header: { alg: 'RS256', typ: 'JWT', ...signer.header } });
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET' || url.pathname !== '/token') return reply(404, { error: 'not found' });
    let user: string | undefined;
    const auth = req.headers.authorization;
    if (auth) {
      const [scheme, encoded] = auth.split(' ');
      const decoded = scheme?.toLowerCase() === 'basic' ? Buffer.from(encoded ?? '', 'base64').toString('utf8') : '';
      const colon = decoded.indexOf(':');
      const [name, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
      if (colon < 0 || standInUsers[name]?.[0] !== password) return reply(401, { error: 'invalid credentials' });
      user = name;
    }
    const service = url.searchParams.get('service');
    const scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean);
    requests.push({ user, service, scopes, mode: state.mode });
    if (service !== standIn.service) return reply(400, { error: `unknown service ${service}` });
    const held = user ? standInUsers[user]![1] : [];
    const access = scopes.flatMap((scope) => {
      const [type, name, actions] = [scope.slice(0, scope.indexOf(':')), scope.slice(scope.indexOf(':') + 1, scope.lastIndexOf(':')), scope.slice(scope.lastIndexOf(':') + 1)];
      if (type !== 'repository' || !name.startsWith('standin/')) return [];
      const granted = actions.split(',').filter((a) => held.includes(a));
      return granted.length ? [{ type, name, actions: granted }] : [];
    });
    const token = sign(access, { sub: user ?? '' });
    reply(200, { token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() });
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    realm: `${url}/token`,
    get mode() {
      return state.mode;
    },
    set mode(mode: Mode) {
      state.mode = mode;
    },
    requests,
    sign,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function openssl(work: string, ...args: string[]): Promise<void> {
  await runOk('openssl', args, { cwd: work, timeoutMs: 60_000 });
}

/** The stand-in's keys: a self-signed cert (kid), a CA and a leaf it issued (x5c), and a stranger. */
async function makeSigners(work: string): Promise<{ signers: Record<Mode, Signer>; bundle: string }> {
  const subj = (cn: string) => ['-subj', `/CN=${cn}`];
  await openssl(work, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'kid.key', '-out', 'kid.crt', '-days', '2', ...subj('stand-in token signer'));
  await openssl(work, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', ...subj('stand-in CA'),
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  await openssl(work, 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', ...subj('stand-in token leaf'));
  await openssl(work, 'x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', '2', '-days', '2', '-out', 'leaf.crt');
  const read = (file: string) => readFile(join(work, file), 'utf8');
  const kidCert = new X509Certificate(await read('kid.crt'));
  const leafCert = new X509Certificate(await read('leaf.crt'));
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signers: Record<Mode, Signer> = {
    kid: { privateKey: createPrivateKey(await read('kid.key')), header: { kid: libtrustKeyId(kidCert.publicKey) } },
    x5c: { privateKey: createPrivateKey(await read('leaf.key')), header: { x5c: [leafCert.raw.toString('base64')] } },
    untrusted: { privateKey: stranger.privateKey, header: { kid: libtrustKeyId(stranger.publicKey) } },
  };
  const bundle = join(work, 'bundle.pem');
  await writeFile(bundle, (await read('kid.crt')) + (await read('ca.crt')));
  return { signers, bundle };
}

describe('a Wharf registry trusts a token server that is not Wharf', () => {
  const skip = requireClient('skopeo', 'openssl');
  let work: string;
  let server: StandInTokenServer;
  let registry: RunningRegistry;
  let image: BuiltImage;
  const name = 'standin/app';
  const ref = (tag: string) => `docker://${registry.host}/${name}:${tag}`;
  const logged = <T>(fn: () => Promise<T>) => withLogs(registry, fn);
  const manifestWith = (token: string, reference = 'v1') =>
    request(`${registry.url}/v2/${name}/manifests/${reference}`, { headers: { accept: manifestAccept, authorization: `Bearer ${token}` } });

  before(async () => {
    if (skip) return;
    work = await mkdtemp(join(tmpdir(), 'wharf-standin-token-'));
    const { signers, bundle } = await makeSigners(work);
    server = await startStandIn(signers);
    registry = await startWharf({
      token: { realm: server.realm, service: standIn.service, issuer: standIn.issuer, rootCertBundle: bundle },
      // info: a refused token's reason is in the log tail a failure shows.
      logLevel: 'info',
      // The registry's own default (off), not the helper's: nothing here deletes.
      deleteEnabled: false,
    });
    image = buildOciImage(3, uniqueName('standin'));
    await writeOciLayout(join(work, 'layout'), 'v1', image);
  });

  after(async () => {
    if (skip) return;
    await registry?.stop();
    await server?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('challenges with the stand-in as realm', { skip }, async () => {
    const res = await request(`${registry.url}/v2/`);
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), `Bearer realm="${server.realm}",service="${standIn.service}"`);
  });

  it('skopeo pushes with tokens identified by the libtrust key id (kid)', { skip }, () =>
    logged(async () => {
      server.mode = 'kid';
      await skopeoCopy(`oci:${join(work, 'layout')}:v1`, ref('v1'), '--dest-creds', 'tester:tester-secret');
      const asked = server.requests.filter((r) => r.user === 'tester').flatMap((r) => r.scopes);
      assert.ok(asked.some((s) => s === `repository:${name}:pull,push` || s === `repository:${name}:push,pull`), `scopes asked: ${asked.join(' ')}`);
      const manifest = await manifestWith(server.sign([{ type: 'repository', name, actions: ['pull'] }]));
      assert.equal(manifest.status, 200, manifest.body.toString('utf8'));
      assert.ok(manifest.body.equals(image.manifest), 'the pushed manifest is not byte-identical');
    }));

  it('skopeo pulls with tokens carrying an x5c chain to a bundled CA', { skip }, () =>
    logged(async () => {
      server.mode = 'x5c';
      const out = join(work, 'out');
      await skopeoCopy(ref('v1'), `dir:${out}`, '--src-creds', 'reader:reader-secret');
      assert.ok(server.requests.some((r) => r.mode === 'x5c' && r.user === 'reader'), 'the stand-in was not asked for an x5c token');
      assert.ok((await readFile(join(out, 'manifest.json'))).equals(image.manifest), 'manifest bytes changed');
      for (const [i, layer] of image.layers.entries()) {
        assert.ok((await readFile(join(out, layer.digest.slice(7)))).equals(layer.gzip), `layer ${i} differs`);
      }
    }));

  it('a pull-only grant cannot push, and anonymous clients get nothing', { skip }, () =>
    logged(async () => {
      server.mode = 'kid';
      const push = await skopeoTry('copy', '--dest-tls-verify=false', '--dest-creds', 'reader:reader-secret', `oci:${join(work, 'layout')}:v1`, ref('reader'));
      assert.notEqual(push.code, 0, `a pull-only token pushed:\n${push.stdout}`);
      assert.match(push.stderr, refused);
      const inspect = await skopeoTry('inspect', '--tls-verify=false', '--no-creds', ref('v1'));
      assert.notEqual(inspect.code, 0, `anonymous inspect succeeded:\n${inspect.stdout}`);
      assert.match(inspect.stderr, refused);
      const full = server.sign([{ type: 'repository', name, actions: ['pull'] }]);
      assert.equal((await manifestWith(full, 'reader')).status, 404);
    }));

  it('refuses tokens with an unknown key, wrong issuer or audience, expired, or for another repository', { skip }, () =>
    logged(async () => {
      const pull = [{ type: 'repository', name, actions: ['pull'] }];
      const now = Math.floor(Date.now() / 1000);
      const bad: [string, string, string][] = [
        ['unknown key', server.sign(pull, {}, 'untrusted'), 'invalid_token'],
        ['wrong issuer', server.sign(pull, { iss: 'someone-else' }, 'kid'), 'invalid_token'],
        ['wrong audience', server.sign(pull, { aud: 'another-registry' }, 'x5c'), 'invalid_token'],
        ['expired', server.sign(pull, { exp: now - 600, nbf: now - 900, iat: now - 900 }, 'kid'), 'invalid_token'],
        ['another repository', server.sign([{ type: 'repository', name: 'standin/other', actions: ['pull'] }], {}, 'kid'), 'insufficient_scope'],
      ];
      for (const [why, token, error] of bad) {
        const res = await manifestWith(token);
        assert.equal(res.status, 401, `${why}: ${res.status} ${res.body.toString('utf8')}`);
        const challenge = res.headers.get('www-authenticate') ?? '';
        assert.ok(challenge.startsWith(`Bearer realm="${server.realm}"`), `${why}: ${challenge}`);
        assert.ok(challenge.includes(`scope="repository:${name}:pull"`) && challenge.includes(`error="${error}"`), `${why}: ${challenge}`);
      }
      server.mode = 'untrusted';
      const inspect = await skopeoTry('inspect', '--tls-verify=false', '--creds', 'tester:tester-secret', ref('v1'));
      assert.notEqual(inspect.code, 0, `skopeo read with a token signed by an unknown key:\n${inspect.stdout}`);
      assert.match(inspect.stderr, /unauthorized|invalid token|authentication required/i);
      for (const mode of ['kid', 'x5c'] as const) assert.equal((await manifestWith(server.sign(pull, {}, mode))).status, 200, mode);
    }));
});
