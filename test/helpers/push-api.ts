// A registry client over the v2 HTTP API that pushes and pulls the way docker does: HEAD each
// blob and upload only the missing ones (monolithic POST + PUT), then PUT the manifest; a pull
// fetches the manifest and every blob and checks each digest.
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
