// The index's signing key: generated on first start (ECDSA P-256, ES256), kept in the database
// with a self-signed certificate. Registries trust it through the JWKS (`kid` = libtrust key id,
// which CNCF Distribution 2.x also derives from the certificate of its `rootcertbundle`).
// @peculiar/x509 (certificate generation) needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import { createPrivateKey, createPublicKey, webcrypto, type KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { libtrustKeyId } from '@wharf/shared';
import type { IndexStore } from '../db/store.js';

export interface SigningKey {
  kid: string;
  algorithm: 'ES256';
  privateKey: KeyObject;
  publicKey: KeyObject;
  certificatePem: string;
}

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const tenYearsMs = 10 * 365 * 24 * 3600 * 1000;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

async function generate(commonName: string): Promise<{ privatePem: string; certificatePem: string }> {
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex').replace(/^[89a-f]/, '1'),
    name: `CN=${commonName}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + tenYearsMs),
    signingAlgorithm: algorithm,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign, true),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const privatePem = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }).toString();
  return { privatePem, certificatePem: certificate.toString('pem') };
}

function toSigningKey(privatePem: string, certificatePem: string): SigningKey {
  const privateKey = createPrivateKey(privatePem);
  const publicKey = createPublicKey(privateKey);
  return { kid: libtrustKeyId(publicKey), algorithm: 'ES256', privateKey, publicKey, certificatePem };
}

/** The active signing keys, newest first; creates the first one when there is none. */
export async function loadSigningKeys(store: IndexStore, commonName: string): Promise<SigningKey[]> {
  if (store.signingKeys.active().length === 0) {
    const { privatePem, certificatePem } = await generate(commonName);
    const key = toSigningKey(privatePem, certificatePem);
    store.signingKeys.insert({ kid: key.kid, algorithm: key.algorithm, privatePem, certificatePem });
  }
  return store.signingKeys.active().map((r) => toSigningKey(r.privatePem, r.certificatePem));
}

/** The JWKS document: every active public key with its kid, alg and use. */
export function jwks(keys: SigningKey[]): { keys: Record<string, unknown>[] } {
  return {
    keys: keys.map((k) => ({ ...k.publicKey.export({ format: 'jwk' }), kid: k.kid, alg: k.algorithm, use: 'sig' })),
  };
}

/** The certificates as one PEM bundle, for a registry's rootCertBundle / Distribution's rootcertbundle. */
export function certificateBundle(keys: SigningKey[]): string {
  return keys.map((k) => k.certificatePem.trim()).join('\n') + '\n';
}
