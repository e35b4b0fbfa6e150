// Pushes a built image over the v2 API (monolithic blob uploads, then the manifest), optionally
// with Basic credentials: the quickest way to put content into any registry a test runs.
import type { BuiltImage } from './images.js';
import { mediaTypes } from './images.js';
import { basicAuth } from './json-api.js';

async function pushBlob(base: string, name: string, digest: string, content: Buffer, headers: Record<string, string>): Promise<void> {
  const start = await fetch(`${base}/v2/${name}/blobs/uploads/`, { method: 'POST', headers, signal: AbortSignal.timeout(30_000) });
  await start.body?.cancel();
  if (start.status !== 202) throw new Error(`POST upload to ${base}/v2/${name}: ${start.status}`);
  const location = new URL(start.headers.get('location')!, base);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { ...headers, 'Content-Type': 'application/octet-stream' },
    body: content,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await put.text();
  if (put.status !== 201) throw new Error(`PUT blob ${digest} to ${base}/v2/${name}: ${put.status} ${text}`);
}

/**
 * Pushes every blob and the manifest under `tag`; returns the manifest's digest. `auth` is
 * "user:password" (Basic) or a bearer token from a token server.
 */
export async function pushImageHttp(base: string, name: string, tag: string, image: BuiltImage, auth?: string | { bearer: string }): Promise<string> {
  const authorization = auth === undefined ? undefined : typeof auth === 'string' ? basicAuth(auth) : `Bearer ${auth.bearer}`;
  const headers: Record<string, string> = authorization ? { Authorization: authorization } : {};
  await pushBlob(base, name, image.configDigest, image.config, headers);
  for (const layer of image.layers) await pushBlob(base, name, layer.digest, layer.gzip, headers);
  const res = await fetch(`${base}/v2/${name}/manifests/${tag}`, {
    method: 'PUT',
    headers: { ...headers, 'Content-Type': mediaTypes.ociManifest },
    body: image.manifest,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`PUT manifest ${name}:${tag} to ${base}: ${res.status} ${text}`);
  return image.manifestDigest;
}
