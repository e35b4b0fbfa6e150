// Minimal Registry HTTP API v2 calls for checking what a client left behind.
import { mediaTypes, sha256, type BuiltImage } from './images.js';
import { basicAuth } from './json-api.js';

export const manifestAccept = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface Fetched {
  status: number;
  headers: Headers;
  body: Buffer;
}

export async function request(url: string, init: RequestInit & { auth?: string } = {}): Promise<Fetched> {
  const headers = new Headers(init.headers);
  // `user:password` for Basic, or a ready `Bearer …` header (a registry in token mode).
  if (init.auth) headers.set('authorization', init.auth.startsWith('Bearer ') ? init.auth : basicAuth(init.auth));
  const res = await fetch(url, { ...init, headers, signal: AbortSignal.timeout(30_000) });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

export function getManifest(base: string, name: string, reference: string, auth?: string): Promise<Fetched> {
  return request(`${base}/v2/${name}/manifests/${reference}`, { headers: { accept: manifestAccept }, auth });
}

export function deleteManifest(base: string, name: string, digest: string, auth?: string): Promise<Fetched> {
  return request(`${base}/v2/${name}/manifests/${digest}`, { method: 'DELETE', auth });
}

export function getBlob(base: string, name: string, digest: string, auth?: string): Promise<Fetched> {
  return request(`${base}/v2/${name}/blobs/${digest}`, { auth });
}

export async function listJson<T>(url: string, auth?: string): Promise<T> {
  const res = await request(url, { auth });
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${res.body.toString('utf8')}`);
  return JSON.parse(res.body.toString('utf8')) as T;
}

export const catalog = async (base: string) => (await listJson<{ repositories: string[] }>(`${base}/v2/_catalog`)).repositories;
export const tags = async (base: string, name: string) => (await listJson<{ tags: string[] | null }>(`${base}/v2/${name}/tags/list`)).tags ?? [];

/** The digest a body really has, for comparing with Docker-Content-Digest. */
export const digestOf = (body: Buffer) => sha256(body);

/** Pushes an image with plain v2 calls (monolithic blob uploads, then the manifest by tag). */
export async function pushImageHttp(base: string, name: string, tag: string, image: BuiltImage, auth?: string): Promise<void> {
  const blobs = [{ digest: image.configDigest, bytes: image.config }, ...image.layers.map((l) => ({ digest: l.digest, bytes: l.gzip }))];
  for (const blob of blobs) {
    const res = await request(`${base}/v2/${name}/blobs/uploads/?digest=${blob.digest}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: blob.bytes,
      auth,
    });
    if (res.status !== 201) throw new Error(`blob upload to ${name}: ${res.status} ${res.body.toString('utf8')}`);
  }
  const put = await request(`${base}/v2/${name}/manifests/${tag}`, { method: 'PUT', headers: { 'content-type': mediaTypes.ociManifest }, body: image.manifest, auth });
  if (put.status !== 201) throw new Error(`manifest PUT ${name}:${tag}: ${put.status} ${put.body.toString('utf8')}`);
}
