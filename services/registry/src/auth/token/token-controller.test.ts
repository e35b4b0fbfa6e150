import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { libtrustKeyId, RegistryError, type AccessRecord } from '@wharf/shared';
import { createTokenController } from './token-controller.js';
import { certificateKeys, jwksKeys, splitPemCertificates } from './trusted-keys.js';
import { MiB, retainedBytes } from '../../../test/retained-memory.js';

const realm = 'http://127.0.0.1:1/token';
const service = 'wharf-registry';
const issuer = 'wharf-index';
const pull: AccessRecord[] = [{ type: 'repository', name: 'alice/app', actions: ['pull'] }];
const push: AccessRecord[] = [{ type: 'repository', name: 'alice/app', actions: ['pull', 'push'] }];

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });

function sign(privateKey: KeyObject, claims: Record<string, unknown>, header: Record<string, unknown>, alg: jwt.Algorithm = 'RS256'): string {
  const now = Math.floor(Date.now() / 1000);
  return jwt.sign(
    { iss: issuer, sub: 'alice', aud: service, iat: now, nbf: now, exp: now + 300, jti: randomUUID(), access: pull, ...claims },
    privateKey,
    { algorithm: alg, header: { alg, typ: 'JWT', ...header } as jwt.JwtHeader },
  );
}

function jwksFetch(keys: { key: KeyObject; kid: string }[], counter = { calls: 0 }): typeof fetch {
  return (async () => {
    counter.calls++;
    const body = { keys: keys.map(({ key, kid }) => ({ ...key.export({ format: 'jwk' }), kid })) };
    return new Response(JSON.stringify(body), { status: 200 });
  }) as typeof fetch;
}

async function controllerWithJwks(keys: { key: KeyObject; kid: string }[], counter = { calls: 0 }) {
  const source = jwksKeys({ url: 'http://127.0.0.1:1/jwks', minRefetchMs: 60_000, fetch: jwksFetch(keys, counter) });
  await source.refresh();
  return createTokenController({ realm, service, issuer, keys: source });
}

async function rejection(promise: Promise<unknown>): Promise<RegistryError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof RegistryError);
    return err;
  }
  assert.fail('expected a rejection');
}

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

describe('token controller', () => {
  it('challenges a request without a token, naming realm, service and scope', async () => {
    const controller = await controllerWithJwks([{ key: rsa.publicKey, kid: 'k1' }]);
    const err = await rejection(controller.authorize({ headers: {} }, push));
    assert.equal(err.code, 'UNAUTHORIZED');
    assert.equal(err.headers['WWW-Authenticate'], `Bearer realm="${realm}",service="${service}",scope="repository:alice/app:pull,push"`);
  });

  it('accepts a token signed by a JWKS key and reports its subject', async () => {
    const controller = await controllerWithJwks([{ key: rsa.publicKey, kid: 'k1' }, { key: ec.publicKey, kid: 'k2' }]);
    assert.equal((await controller.authorize(bearer(sign(rsa.privateKey, {}, { kid: 'k1' })), pull)).user, 'alice');
    assert.equal((await controller.authorize(bearer(sign(ec.privateKey, {}, { kid: 'k2' }, 'ES256')), pull)).user, 'alice');
  });

  it('answers insufficient_scope when the token grants less than the route needs', async () => {
    const controller = await controllerWithJwks([{ key: rsa.publicKey, kid: 'k1' }]);
    const err = await rejection(controller.authorize(bearer(sign(rsa.privateKey, {}, { kid: 'k1' })), push));
    assert.match(err.headers['WWW-Authenticate']!, /error="insufficient_scope"/);
  });

  it('rejects wrong issuer, wrong audience, expired and not-yet-valid tokens as invalid_token', async () => {
    const controller = await controllerWithJwks([{ key: rsa.publicKey, kid: 'k1' }]);
    const now = Math.floor(Date.now() / 1000);
    for (const claims of [{ iss: 'someone-else' }, { aud: 'other-registry' }, { exp: now - 3600 }, { nbf: now + 3600 }]) {
      const err = await rejection(controller.authorize(bearer(sign(rsa.privateKey, claims, { kid: 'k1' })), pull));
      assert.match(err.headers['WWW-Authenticate']!, /error="invalid_token"/, JSON.stringify(claims));
    }
  });

  it('never accepts alg none or HMAC, even keyed with the public key', async () => {
    const controller = await controllerWithJwks([{ key: rsa.publicKey, kid: 'k1' }]);
    const payload = { iss: issuer, sub: 'mallory', aud: service, exp: Math.floor(Date.now() / 1000) + 300, access: push };
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT', kid: 'k1' })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;
    const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const hmac = jwt.sign(payload, pem, { algorithm: 'HS256', header: { alg: 'HS256', kid: 'k1' } });
    for (const token of [none, hmac]) {
      const err = await rejection(controller.authorize(bearer(token), pull));
      assert.match(err.message, /algorithm/);
    }
  });

  it('rejects a forged signature and an unknown key', async () => {
    const controller = await controllerWithJwks([{ key: rsa.publicKey, kid: 'k1' }]);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = sign(other.privateKey, {}, { kid: 'k1' });
    await rejection(controller.authorize(bearer(forged), pull));
    const tampered = sign(rsa.privateKey, {}, { kid: 'k1' }).split('.');
    tampered[1] = Buffer.from(JSON.stringify({ iss: issuer, aud: service, exp: 9999999999, access: push })).toString('base64url');
    await rejection(controller.authorize(bearer(tampered.join('.')), pull));
  });

  it('refetches the JWKS for an unknown kid at most once per interval', async () => {
    const counter = { calls: 0 };
    const controller = await controllerWithJwks([{ key: rsa.publicKey, kid: 'k1' }], counter);
    assert.equal(counter.calls, 1);
    for (let i = 0; i < 5; i++) await rejection(controller.authorize(bearer(sign(rsa.privateKey, {}, { kid: 'rotated' })), pull));
    assert.ok(counter.calls <= 1, `fetched ${counter.calls} times within the refetch interval`);
  });

  it('grants registry:catalog:* for the catalog', async () => {
    const controller = await controllerWithJwks([{ key: rsa.publicKey, kid: 'k1' }]);
    const catalog: AccessRecord[] = [{ type: 'registry', name: 'catalog', actions: ['*'] }];
    const token = sign(rsa.privateKey, { access: catalog }, { kid: 'k1' });
    assert.equal((await controller.authorize(bearer(token), catalog)).user, 'alice');
    await rejection(controller.authorize(bearer(sign(rsa.privateKey, {}, { kid: 'k1' })), catalog));
  });

  it('trusts a certificate bundle by libtrust key id and by x5c chain', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wharf-certs-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
        '-subj', '/CN=wharf-test', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
      const [cert] = splitPemCertificates(readFileSync(join(dir, 'cert.pem'), 'utf8'));
      const { createPrivateKey } = await import('node:crypto');
      const privateKey = createPrivateKey(readFileSync(join(dir, 'key.pem')));
      const controller = createTokenController({ realm, service, issuer, keys: certificateKeys([cert!]) });
      const byKid = sign(privateKey, {}, { kid: libtrustKeyId(cert!.publicKey) }, 'ES256');
      assert.equal((await controller.authorize(bearer(byKid), pull)).user, 'alice');
      const byChain = sign(privateKey, {}, { x5c: [cert!.raw.toString('base64')] }, 'ES256');
      assert.equal((await controller.authorize(bearer(byChain), pull)).user, 'alice');
      assert.match(libtrustKeyId(cert!.publicKey), /^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('trusts an x5c chain only through CA certificates: a leaf cannot vouch for a key it signed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wharf-certs-'));
    const at = (name: string) => join(dir, name);
    const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
    const newKey = (name: string) => openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', at(`${name}.key`));
    /** A certificate for `name` signed by `issuer`, with the given extensions. */
    const issue = (name: string, issuer: string, extensions: string) => {
      newKey(name);
      openssl('req', '-new', '-key', at(`${name}.key`), '-subj', `/CN=${name}`, '-out', at(`${name}.csr`));
      execFileSync('sh', ['-c', `printf '%s\n' "$1" > "$2"`, 'sh', extensions, at(`${name}.ext`)]);
      openssl('x509', '-req', '-in', at(`${name}.csr`), '-CA', at(`${issuer}.pem`), '-CAkey', at(`${issuer}.key`), '-CAcreateserial',
        '-days', '2', '-extfile', at(`${name}.ext`), '-out', at(`${name}.pem`));
    };
    const der = (name: string) => splitPemCertificates(readFileSync(at(`${name}.pem`), 'utf8'))[0]!.raw.toString('base64');
    try {
      newKey('root');
      openssl('req', '-x509', '-new', '-key', at('root.key'), '-subj', '/CN=root', '-days', '2',
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign', '-out', at('root.pem'));
      issue('signer', 'root', 'basicConstraints=critical,CA:FALSE');
      issue('intermediate', 'root', 'basicConstraints=critical,CA:TRUE');
      issue('vouched', 'intermediate', 'basicConstraints=critical,CA:FALSE');
      // Whoever holds the key of a plain (non-CA) certificate the root issued signs a certificate for a key of their own.
      issue('forged', 'signer', 'basicConstraints=critical,CA:FALSE');
      const { createPrivateKey } = await import('node:crypto');
      const keyOf = (name: string) => createPrivateKey(readFileSync(at(`${name}.key`)));
      const [root] = splitPemCertificates(readFileSync(at('root.pem'), 'utf8'));
      const controller = createTokenController({ realm, service, issuer, keys: certificateKeys([root!]) });
      const bySigner = sign(keyOf('signer'), {}, { x5c: [der('signer')] }, 'ES256');
      assert.equal((await controller.authorize(bearer(bySigner), pull)).user, 'alice', 'a leaf the root issued');
      const viaIntermediate = sign(keyOf('vouched'), {}, { x5c: [der('vouched'), der('intermediate')] }, 'ES256');
      assert.equal((await controller.authorize(bearer(viaIntermediate), pull)).user, 'alice', 'through a CA intermediate');
      const forged = sign(keyOf('forged'), { access: push }, { x5c: [der('forged'), der('signer')] }, 'ES256');
      const err = await rejection(controller.authorize(bearer(forged), pull));
      assert.match(err.message, /trusted key/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps what it remembers of verified tokens within its byte budget, however many large tokens come', async () => {
    const source = jwksKeys({ url: 'http://127.0.0.1:1/jwks', minRefetchMs: 60_000, fetch: jwksFetch([{ key: ec.publicKey, kid: 'k2' }]) });
    await source.refresh();
    const controller = createTokenController({ realm, service, issuer, keys: source, cacheBytes: MiB });
    // Each token grants 40 long-named repositories besides the one asked for: about 8 KB.
    const wide = (n: number): AccessRecord[] => Array.from({ length: 40 }, (_, i) => ({ type: 'repository', name: `alice/app-${n}-${i}-${'x'.repeat(100)}`, actions: ['pull'] }));
    // Flat copies, so the measure below sees what is kept of the tokens, not their strings settling.
    const tokens = Array.from({ length: 2000 }, (_, n) => Buffer.from(sign(ec.privateKey, { access: [...pull, ...wide(n)] }, { kid: 'k2' }, 'ES256')).toString());
    const before = retainedBytes();
    for (const token of tokens) assert.equal((await controller.authorize(bearer(token), pull)).user, 'alice');
    const grown = retainedBytes() - before;
    assert.equal(tokens.length, 2000, 'the tokens themselves stay referenced through both measures');
    assert.ok(grown < 4 * MiB, `2000 verified tokens left ${Math.round(grown / MiB)} MiB behind`);
  });
});
