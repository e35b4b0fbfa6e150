// A v2 blob upload driven step by step over HTTP (POST, PATCH..., PUT ?digest=), so a test can
// stop or switch registries between chunks, and stream bodies of any size without holding them.
import { request as httpRequest } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** The upload's path and query from a Location header, to be sent to any registry on the store. */
function pathOf(location: string | null, base: string): string {
  if (!location) throw new Error('upload answer has no Location');
  const url = new URL(location, base);
  return url.pathname + url.search;
}

/**
 * One request on a connection of its own (no keep-alive pool): a registry running as several
 * cluster workers gets each request on whichever worker the kernel picks.
 */
export async function send(url: string, method: string, body?: Readable, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, timeout: 600_000, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: timed out`)));
    if (body) pipeline(body, req).catch(reject);
    else req.end();
  });
}

/** POST: starts an upload; resolves to its location path. */
export async function startUpload(base: string, name: string): Promise<string> {
  const res = await send(`${base}/v2/${name}/blobs/uploads/`, 'POST');
  if (res.status !== 202) throw new Error(`POST upload: ${res.status} ${res.text}`);
  return pathOf(res.headers.location as string, base);
}

/** PATCH: appends a chunk (streamed, chunked transfer encoding); resolves to the next location and the size held. */
export async function patchChunk(base: string, location: string, body: Readable): Promise<{ location: string; size: number }> {
  const res = await send(`${base}${location}`, 'PATCH', body, { 'content-type': 'application/octet-stream' });
  if (res.status !== 202) throw new Error(`PATCH upload: ${res.status} ${res.text}`);
  const range = /^0-(\d+)$/.exec(String(res.headers.range ?? ''));
  return { location: pathOf(res.headers.location as string, base), size: range ? Number(range[1]) + 1 : 0 };
}

/** PUT ?digest=: completes the upload; resolves to the blob's location. */
export async function finishUpload(base: string, location: string, digest: string): Promise<void> {
  const sep = location.includes('?') ? '&' : '?';
  const res = await send(`${base}${location}${sep}digest=${encodeURIComponent(digest)}`, 'PUT', undefined, { 'content-length': '0' });
  if (res.status !== 201) throw new Error(`PUT upload: ${res.status} ${res.text}`);
}

/**
 * `total` bytes made on the fly (a random MiB, each copy stamped with its index so no two MiB
 * are alike), hashed as they go out: memory stays at a few MiB whatever the size.
 */
export function generatedBlob(total: number): { stream: Readable; digest: () => string } {
  const hash = createHash('sha256');
  const base = randomBytes(1 << 20);
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let offset = 0, i = 0; offset < total; offset += base.length, i++) {
      const chunk = Buffer.from(base.subarray(0, Math.min(base.length, total - offset)));
      chunk.writeUInt32BE(i % 2 ** 32, 0);
      hash.update(chunk);
      yield chunk;
    }
  }
  return { stream: Readable.from(chunks()), digest: () => `sha256:${hash.digest('hex')}` };
}

/** GETs a blob streaming, following redirects; resolves to its size and digest. */
export async function fetchBlobDigest(base: string, name: string, digest: string): Promise<{ size: number; digest: string }> {
  const res = await fetch(`${base}/v2/${name}/blobs/${digest}`, { signal: AbortSignal.timeout(600_000) });
  if (res.status !== 200 || !res.body) throw new Error(`GET blob: ${res.status}`);
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of res.body) {
    hash.update(chunk);
    size += chunk.byteLength;
  }
  return { size, digest: `sha256:${hash.digest('hex')}` };
}
