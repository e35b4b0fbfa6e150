// TLS end to end, with a CA and certificates made by openssl for this run: `wharf registry` over
// https (plain http and TLS 1.1 refused, TLS 1.2 accepted), docker push/pull with the CA in the
// engine's certs.d, skopeo push/pull with --dest-cert-dir/--src-cert-dir (and refused without the
// CA), mutual TLS (no client certificate or one from another CA: refused; the right one: served,
// skopeo included), and `wharf serve` with both services on https: the challenge names an https
// realm, a token fetched over https opens the registry, docker logs in, pushes and pulls, and the
// push reaches the index as an event over https. (dockerd treats 127.0.0.0/8 registries as
// insecure: it speaks https to them but skips verification and ignores certs.d, so it can present
// no client certificate there; mutual TLS is shown with skopeo and node's https client.)
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireClient } from '../helpers/clients.js';
import { docker, dockerTry, imageId, loadImage, requireDocker, uniqueName } from '../helpers/docker.js';
import { buildOciImage, writeOciLayout } from '../helpers/images.js';
import { run, runOk, waitFor } from '../helpers/process.js';
import { skopeo, skopeoTry } from '../helpers/skopeo.js';
import { cliMain, withoutWharfVars } from '../helpers/launch.js';
import { certDir, httpsRequest, makeTestPki, startTlsRegistry, startTlsServe, tlsEnv, type TestPki, type TlsRegistry, type TlsStack } from '../helpers/tls.js';

const skipOpenssl = requireClient('openssl');

/** The engine reads registry CAs and client certificates from /etc/docker/certs.d/HOST:PORT/. */
const engineCertsDir = '/etc/docker/certs.d';



/** Pushes, removes locally and pulls back `ref`; asserts the image id survives. */
async function dockerRoundTrip(ref: string, expectedId: string): Promise<void> {
  await docker('push', ref);
  await docker('rmi', '-f', expectedId);
  assert.notEqual((await dockerTry(['image', 'inspect', expectedId])).code, 0, 'image still present after rmi');
  await docker('pull', ref);
  assert.equal(await imageId(ref), expectedId);
}

describe('wharf registry over https', () => {
  const skip = skipOpenssl;
  let pki: TestPki;
  let registry: TlsRegistry;
  let work: string;

  before(async () => {
    if (skip) return;
    pki = await makeTestPki();
    work = await mkdtemp(join(tmpdir(), 'wharf-tls-e2e-'));
    registry = await startTlsRegistry(pki);
  });

  after(async () => {
    if (skip) return;
    await registry?.stop();
    await rm(join(engineCertsDir, registry?.host ?? 'none'), { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
    await pki?.remove();
  });

  it('serves https to a client that trusts the CA, and refuses plain http', { skip }, async () => {
    const answer = await httpsRequest(`${registry.url}/v2/`, { ca: pki.caCert });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['docker-distribution-api-version'], 'registry/2.0');
    assert.match(answer.protocol ?? '', /^TLSv1\.[23]$/);
    await assert.rejects(fetch(`http://${registry.host}/v2/`, { signal: AbortSignal.timeout(5000) }), 'plain http was answered');
    await assert.rejects(httpsRequest(`${registry.url}/v2/`), /self.signed|unable to verify|certificate/i);
  });

  it('refuses to start with a key that is not the certificate\'s, saying so', { skip }, async () => {
    const env = {
      ...withoutWharfVars(process.env),
      WHARF_REGISTRY_HTTP_ADDR: '127.0.0.1:0',
      WHARF_REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: join(work, 'never-used'),
      ...tlsEnv('REGISTRY', pki),
      WHARF_REGISTRY_HTTP_TLS_KEY: pki.clientKey,
    };
    const result = await run(process.execPath, [cliMain, 'registry'], { env, timeoutMs: 30_000 });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /http\.tls: cannot use .*server\.crt with .*client\.key: .*key values mismatch/);
  });

  it('refuses TLS 1.1 and accepts TLS 1.2', { skip }, async () => {
    // SECLEVEL=0 lets this client offer TLS 1.1 at all: the refusal must come from the server.
    const old = { ca: pki.caCert, minVersion: 'TLSv1' as const, maxVersion: 'TLSv1.1' as const, ciphers: 'DEFAULT@SECLEVEL=0' };
    await assert.rejects(httpsRequest(`${registry.url}/v2/`, old), (err: NodeJS.ErrnoException) => {
      assert.match(`${err.code} ${err.message}`, /alert protocol version/i);
      return true;
    });
    const tls12 = await httpsRequest(`${registry.url}/v2/`, { ca: pki.caCert, maxVersion: 'TLSv1.2' });
    assert.equal(tls12.status, 200);
    assert.equal(tls12.protocol, 'TLSv1.2');
  });

  it('docker pushes and pulls over https with the CA in certs.d', { skip: skip ?? requireDocker() }, async () => {
    await certDir(pki, join(engineCertsDir, registry.host));
    const ref = `${registry.host}/tls/${uniqueName('docker')}:v1`;
    const id = await loadImage(work, ref, 2);
    try {
      await dockerRoundTrip(ref, id);
      // Only https is served, so the round trip above went over TLS; the registry saw the push.
      const tags = await httpsRequest(`${registry.url}/v2/${ref.slice(registry.host.length + 1, ref.lastIndexOf(':'))}/tags/list`, { ca: pki.caCert });
      assert.deepEqual(JSON.parse(tags.text).tags, ['v1']);
    } finally {
      await dockerTry(['rmi', '-f', id]);
      // skopeo reads /etc/docker/certs.d too: the next test must not find the CA there.
      await rm(join(engineCertsDir, registry.host), { recursive: true, force: true });
    }
  });

  it('skopeo pushes and pulls with --dest-cert-dir/--src-cert-dir, and refuses without the CA', { skip: skip ?? requireClient('skopeo') }, async () => {
    const certs = await certDir(pki, join(work, 'skopeo-certs'));
    const image = buildOciImage(2, 'tls-skopeo');
    await writeOciLayout(join(work, 'oci-in'), 'v1', image);
    const ref = `docker://${registry.host}/tls/${uniqueName('skopeo')}:v1`;
    const refused = await skopeoTry('copy', `oci:${join(work, 'oci-in')}:v1`, ref);
    assert.notEqual(refused.code, 0, 'skopeo pushed without trusting the CA');
    assert.match(refused.stderr, /x509|certificate/i);
    await skopeo('copy', '--dest-cert-dir', certs, `oci:${join(work, 'oci-in')}:v1`, ref);
    const out = join(work, 'skopeo-out');
    await skopeo('copy', '--src-cert-dir', certs, ref, `dir:${out}`);
    assert.ok((await readFile(join(out, 'manifest.json'))).equals(image.manifest), 'manifest changed on the round trip');
  });
});

describe('certificate renewal without a restart', () => {
  const skip = skipOpenssl;
  let old: TestPki;
  let renewed: TestPki;
  let registry: TlsRegistry;
  let work: string;
  let certificate: string;
  let key: string;

  before(async () => {
    if (skip) return;
    [old, renewed] = await Promise.all([makeTestPki(), makeTestPki()]);
    work = await mkdtemp(join(tmpdir(), 'wharf-tls-renew-'));
    certificate = join(work, 'server.crt');
    key = join(work, 'server.key');
    await Promise.all([copyFile(old.serverCert, certificate), copyFile(old.serverKey, key)]);
    registry = await startTlsRegistry(old, {
      env: { WHARF_REGISTRY_HTTP_TLS_CERTIFICATE: certificate, WHARF_REGISTRY_HTTP_TLS_KEY: key, WHARF_REGISTRY_HTTP_TLS_RELOADINTERVAL: '100ms' },
    });
  });

  after(async () => {
    if (skip) return;
    await registry?.stop();
    await rm(work, { recursive: true, force: true });
    await Promise.all([old?.remove(), renewed?.remove()]);
  });

  const servesWith = async (pki: TestPki) => {
    try {
      return (await httpsRequest(`${registry.url}/v2/`, { ca: pki.caCert })).status === 200;
    } catch {
      return false;
    }
  };

  it('keeps the old pair while the renewed certificate has no matching key yet, then serves the renewed one', { skip }, async () => {
    assert.ok(await servesWith(old));
    await copyFile(renewed.serverCert, certificate);
    await waitFor('the registry to notice the half-renewed pair', async () => registry.logs().includes('cannot be used; keeping the previous ones'), 10_000, 50);
    assert.ok(await servesWith(old), 'the old certificate is still served');
    assert.equal(await servesWith(renewed), false);
    await copyFile(renewed.serverKey, key);
    await waitFor('the renewed certificate to be served', () => servesWith(renewed), 10_000, 50);
    assert.equal(await servesWith(old), false, 'a client trusting only the old CA is refused now');
    assert.match(registry.logs(), /TLS certificate reloaded/);
  });
});

describe('mutual TLS: client certificates required', () => {
  const skip = skipOpenssl;
  let pki: TestPki;
  let stranger: TestPki;
  let registry: TlsRegistry;
  let work: string;

  before(async () => {
    if (skip) return;
    [pki, stranger] = await Promise.all([makeTestPki(), makeTestPki()]);
    work = await mkdtemp(join(tmpdir(), 'wharf-mtls-e2e-'));
    registry = await startTlsRegistry(pki, { clientCA: true });
  });

  after(async () => {
    if (skip) return;
    await registry?.stop();
    await rm(work, { recursive: true, force: true });
    await Promise.all([pki?.remove(), stranger?.remove()]);
  });

  it('refuses a client without a certificate', { skip }, async () => {
    await assert.rejects(httpsRequest(`${registry.url}/v2/`, { ca: pki.caCert }));
  });

  it('refuses a certificate from another CA', { skip }, async () => {
    await assert.rejects(httpsRequest(`${registry.url}/v2/`, { ca: pki.caCert, cert: stranger.clientCert, key: stranger.clientKey }));
  });

  it('serves a client with a certificate the client CA signed', { skip }, async () => {
    const answer = await httpsRequest(`${registry.url}/v2/`, { ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey });
    assert.equal(answer.status, 200);
  });

  it('skopeo with client.cert/client.key in its cert dir pushes and pulls; without, it is refused', { skip: skip ?? requireClient('skopeo') }, async () => {
    const caOnly = await certDir(pki, join(work, 'ca-only'));
    const withClient = await certDir(pki, join(work, 'with-client'), true);
    const image = buildOciImage(1, 'mtls-skopeo');
    await writeOciLayout(join(work, 'oci-in'), 'v1', image);
    const ref = `docker://${registry.host}/mtls/${uniqueName('skopeo')}:v1`;
    const refused = await skopeoTry('copy', '--dest-cert-dir', caOnly, `oci:${join(work, 'oci-in')}:v1`, ref);
    assert.notEqual(refused.code, 0, 'skopeo pushed without a client certificate');
    await skopeo('copy', '--dest-cert-dir', withClient, `oci:${join(work, 'oci-in')}:v1`, ref);
    const out = join(work, 'out');
    await skopeo('copy', '--src-cert-dir', withClient, ref, `dir:${out}`);
    assert.ok((await readFile(join(out, 'manifest.json'))).equals(image.manifest));
  });
});

describe('wharf serve with TLS on both services', () => {
  const skip = skipOpenssl;
  const password = 'tls-correct-horse';
  let pki: TestPki;
  let stack: TlsStack;
  let work: string;

  before(async () => {
    if (skip) return;
    pki = await makeTestPki();
    work = await mkdtemp(join(tmpdir(), 'wharf-tls-serve-e2e-'));
    stack = await startTlsServe(pki);
    await runOk(process.execPath, [cliMain, 'user', 'add', 'tlsuser'], { env: stack.env, input: `${password}\n`, timeoutMs: 30_000 });
  });

  after(async () => {
    if (skip) return;
    await stack?.stop();
    await rm(join(engineCertsDir, stack?.registryHost ?? 'none'), { recursive: true, force: true });
    await rm(join(engineCertsDir, stack?.indexHost ?? 'none'), { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
    await pki?.remove();
  });

  const basic = () => `Basic ${Buffer.from(`tlsuser:${password}`).toString('base64')}`;

  it('challenges with an https realm, and its readiness includes the keys fetched over https', { skip }, async () => {
    const challenge = await httpsRequest(`${stack.registryUrl}/v2/`, { ca: pki.caCert });
    assert.equal(challenge.status, 401);
    assert.match(String(challenge.headers['www-authenticate']), new RegExp(`^Bearer realm="https://${stack.indexHost}/token"`));
    const ready = await httpsRequest(`${stack.registryUrl}/readyz`, { ca: pki.caCert });
    assert.deepEqual(JSON.parse(ready.text), { status: 'ok', checks: { storage: 'ok', auth: 'ok' } });
  });

  it('issues a token over https that the registry accepts', { skip }, async () => {
    const scope = 'repository:tlsuser/app:pull,push';
    const url = `${stack.indexUrl}/token?service=wharf-registry&scope=${encodeURIComponent(scope)}`;
    await assert.rejects(fetch(url.replace('https:', 'http:'), { signal: AbortSignal.timeout(5000) }), 'the index answered plain http');
    const answer = await httpsRequest(url, { ca: pki.caCert, headers: { Authorization: basic() } });
    assert.equal(answer.status, 200, answer.text);
    const { token } = JSON.parse(answer.text) as { token: string };
    const tags = await httpsRequest(`${stack.registryUrl}/v2/tlsuser/app/tags/list`, { ca: pki.caCert, headers: { Authorization: `Bearer ${token}` } });
    assert.equal(tags.status, 404, tags.text); // authorized: the repository just does not exist yet
    assert.match(tags.text, /NAME_UNKNOWN/);
  });

  it('docker logs in, pushes and pulls; the push reaches the index over https', { skip: skip ?? requireDocker() }, async () => {
    await certDir(pki, join(engineCertsDir, stack.registryHost));
    await certDir(pki, join(engineCertsDir, stack.indexHost));
    const name = `tlsuser/${uniqueName('serve')}`;
    const ref = `${stack.registryHost}/${name}:v1`;
    const config = join(work, 'docker-config');
    await mkdir(config, { recursive: true });
    const login = await dockerTry(['--config', config, 'login', stack.registryHost, '-u', 'tlsuser', '--password-stdin'], { input: password });
    assert.equal(login.code, 0, `${login.stderr}\n--- serve ---\n${stack.logs().slice(-3000)}`);
    const id = await loadImage(work, ref, 2);
    try {
      await docker('--config', config, 'push', ref);
      await docker('rmi', '-f', id);
      await docker('--config', config, 'pull', ref);
      assert.equal(await imageId(ref), id);
    } finally {
      await dockerTry(['rmi', '-f', id]);
    }
    let last = '';
    await waitFor(`the index records ${name}:v1`, async () => {
      const repo = await httpsRequest(`${stack.indexUrl}/api/repositories/${name}`, { ca: pki.caCert, headers: { Authorization: basic() } });
      last = `${repo.status} ${repo.text}`;
      return repo.status === 200 && (JSON.parse(repo.text) as { tags: { tag: string }[] }).tags.some((t) => t.tag === 'v1');
    }, 15_000, 200).catch((err: Error) => {
      throw new Error(`${err.message}; last answer: ${last}`);
    });
  });
});
