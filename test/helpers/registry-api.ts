// Minimal Registry HTTP API v2 calls for checking what a client left behind.
import { sha256 } from './images.js';
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
  if (init.auth) headers.set('authorization', basicAuth(init.auth));
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
