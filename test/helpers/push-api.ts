// A registry client over the v2 HTTP API that pushes and pulls the way docker does: HEAD each
// blob and upload only the missing ones (monolithic POST + PUT), then PUT the manifest; a pull
// fetches the manifest and every blob and checks each digest.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sha256 } from './images.js';
import { manifestAccept, request } from './registry-api.js';

/** Uploads the blob unless HEAD finds it in the repository; says which happened. */
export async function pushBlob(base: string, name: string, data: Buffer): Promise<'existed' | 'uploaded'> {
  const digest = sha256(data);
  const head = await request(`${base}/v2/${name}/blobs/${digest}`, { method: 'HEAD' });
  if (head.status === 200) return 'existed';
  const start = await request(`${base}/v2/${name}/blobs/uploads/`, { method: 'POST' });
  const location = start.headers.get('location');
  if (start.status !== 202 || !location) throw new Error(`POST upload ${name}: ${start.status} ${start.body.toString('utf8')}`);
  const url = new URL(location, base);
  url.searchParams.set('digest', digest);
  const put = await request(url.toString(), { method: 'PUT', body: data, headers: { 'content-type': 'application/octet-stream' } });
  if (put.status !== 201) throw new Error(`PUT upload ${name} ${digest}: ${put.status} ${put.body.toString('utf8')}`);
  return 'uploaded';
}

export async function putManifest(base: string, name: string, reference: string, body: Buffer, mediaType: string): Promise<string> {
  const res = await request(`${base}/v2/${name}/manifests/${reference}`, { method: 'PUT', body, headers: { 'content-type': mediaType } });
  if (res.status !== 201) throw new Error(`PUT manifest ${name}:${reference}: ${res.status} ${res.body.toString('utf8')}`);
  return res.headers.get('docker-content-digest') ?? '';
}

/** Pulls name:reference and checks the manifest's digest and every blob's; throws on any mismatch. */
export async function pullVerified(base: string, name: string, reference: string, expectedDigest: string): Promise<void> {
  const manifest = await request(`${base}/v2/${name}/manifests/${reference}`, { headers: { accept: manifestAccept } });
  if (manifest.status !== 200) throw new Error(`GET manifest ${name}:${reference}: ${manifest.status} ${manifest.body.toString('utf8')}`);
  if (sha256(manifest.body) !== expectedDigest) throw new Error(`manifest ${name}:${reference} has digest ${sha256(manifest.body)}, pushed ${expectedDigest}`);
  const json = JSON.parse(manifest.body.toString('utf8')) as { config?: { digest: string }; layers?: { digest: string }[]; manifests?: { digest: string }[] };
  for (const child of json.manifests ?? []) await pullVerified(base, name, child.digest, child.digest);
  for (const { digest } of [...(json.config ? [json.config] : []), ...(json.layers ?? [])]) {
    const blob = await request(`${base}/v2/${name}/blobs/${digest}`);
    if (blob.status !== 200) throw new Error(`GET blob ${name}@${digest}: ${blob.status} ${blob.body.toString('utf8')}`);
    if (sha256(blob.body) !== digest) throw new Error(`blob ${name}@${digest} came back as ${sha256(blob.body)}`);
  }
}

const ociManifest = 'application/vnd.oci.image.manifest.v1+json';

export interface PushedImage {
  name: string;
  tag: string;
  digest: string;
  /** Every blob the image stores (layers, config, manifest) with its size. */
  blobs: Map<string, number>;
}

/** Pushes an image of these layers (plus a config of its own); returns what it stored. */
export async function pushImage(base: string, name: string, tag: string, layers: Buffer[]): Promise<PushedImage> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', label: `${name}:${tag}`, nonce: randomBytes(8).toString('hex') }));
  for (const blob of [...layers, config]) await pushBlob(base, name, blob);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: ociManifest,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
      layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(l), size: l.length })),
    }),
  );
  const digest = await putManifest(base, name, tag, manifest, ociManifest);
  assert.equal(digest, sha256(manifest));
  const blobs = new Map<string, number>([...layers, config, manifest].map((b) => [sha256(b), b.length]));
  return { name, tag, digest, blobs };
}

/** The bytes of the distinct blobs of `images`. */
export function bytesOf(images: PushedImage[]): number {
  const all = new Map<string, number>();
  for (const image of images) for (const [digest, size] of image.blobs) all.set(digest, size);
  return [...all.values()].reduce((a, b) => a + b, 0);
}
