// The workloads, as the load-generator process runs them against one registry. Each speaks the
// plain v2 API (OCI distribution spec), so the same code drives Wharf and Distribution.
import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { randomBytes, sha256, SyntheticBlob } from './data.js';
import { download, expectStatus, load, pathOf, send, withQuery, type LoadOptions, type LoadResult, type Target } from './http-load.js';

/** How a blob is uploaded in one request: OCI's monolithic POST, or POST then PUT with the body. */
export type SingleUploadMode = 'post-digest' | 'post-put';

export interface TransferResult {
  bytes: number;
  seconds: number;
  clientCpuPercent: number;
  /** Per-repetition seconds, when repeated. */
  runs?: number[];
}

export interface CountResult {
  count: number;
  bytes: number;
  seconds: number;
  clientCpuPercent: number;
}

const octet = { 'content-type': 'application/octet-stream' };
const bigTimeout = 120_000;

function timed<T>(run: () => Promise<T>): Promise<{ value: T; seconds: number; cpuPercent: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  return run().then((value) => {
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return { value, seconds, cpuPercent: ((cpu.user + cpu.system) / 1e6 / seconds) * 100 };
  });
}

/** Uploads a blob in one request carrying the body; returns the blob's path. */
export async function uploadSingle(
  target: Target,
  repo: string,
  digest: string,
  size: number,
  body: Buffer | Iterable<Buffer>,
  mode: SingleUploadMode,
  agent: Agent | false = false,
): Promise<void> {
  const headers = { ...octet, 'content-length': String(size) };
  if (mode === 'post-digest') {
    const path = withQuery(`/v2/${repo}/blobs/uploads/`, 'digest', digest);
    expectStatus(await send(target, { method: 'POST', path, headers, body, agent, timeoutMs: bigTimeout }), 201, 'monolithic POST');
    return;
  }
  const started = expectStatus(await send(target, { method: 'POST', path: `/v2/${repo}/blobs/uploads/`, agent }), 202, 'POST upload');
  const location = pathOf(started.headers.location, 'POST upload');
  const put = await send(target, { method: 'PUT', path: withQuery(location, 'digest', digest), headers, body, agent, timeoutMs: bigTimeout });
  expectStatus(put, 201, 'PUT upload');
  if (put.headers['docker-content-digest'] !== digest) throw new Error(`PUT upload: Docker-Content-Digest ${String(put.headers['docker-content-digest'])}, expected ${digest}`);
}

/**
 * Whether POST /blobs/uploads/?digest= with the body completes an upload (OCI end-4b). A registry
 * that does not support it answers 202 and ignores the body, so this probes with 1 KiB.
 */
export async function probeMonolithic(target: Target, repo: string): Promise<{ supported: boolean; status: number }> {
  const body = randomBytes(4242, 1024);
  const digest = sha256(body);
  const path = withQuery(`/v2/${repo}/blobs/uploads/`, 'digest', digest);
  const reply = await send(target, { method: 'POST', path, headers: octet, body });
  if (reply.status !== 201) return { supported: false, status: reply.status };
  const head = await send(target, { method: 'HEAD', path: `/v2/${repo}/blobs/${digest}` });
  return { supported: head.status === 200, status: reply.status };
}

export async function pushSingle(target: Target, repo: string, blob: SyntheticBlob, digest: string, mode: SingleUploadMode): Promise<TransferResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const { seconds, cpuPercent } = await timed(() => uploadSingle(target, repo, digest, blob.size, blob.blocks(), mode, agent));
    await verifyBlob(target, repo, digest, blob.size);
    return { bytes: blob.size, seconds, clientCpuPercent: cpuPercent };
  } finally {
    agent.destroy();
  }
}

/** POST, then PATCH × chunks (Content-Range), then PUT ?digest= without a body. */
export async function pushChunked(target: Target, repo: string, blob: SyntheticBlob, digest: string, chunks: number): Promise<TransferResult> {
  const chunkSize = blob.size / chunks;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const { seconds, cpuPercent } = await timed(async () => {
      const started = expectStatus(await send(target, { method: 'POST', path: `/v2/${repo}/blobs/uploads/`, agent }), 202, 'POST upload');
      let location = pathOf(started.headers.location, 'POST upload');
      for (let i = 0; i < chunks; i++) {
        const start = i * chunkSize;
        const end = start + chunkSize - 1;
        const reply = await send(target, {
          method: 'PATCH',
          path: location,
          headers: { ...octet, 'content-length': String(chunkSize), 'content-range': `${start}-${end}` },
          body: blob.blocks(start, chunkSize),
          agent,
          timeoutMs: bigTimeout,
        });
        expectStatus(reply, 202, `PATCH chunk ${i + 1}/${chunks}`);
        if (reply.headers.range !== `0-${end}`) throw new Error(`PATCH chunk ${i + 1}: Range ${String(reply.headers.range)}, expected 0-${end}`);
        location = pathOf(reply.headers.location, 'PATCH');
      }
      const put = await send(target, { method: 'PUT', path: withQuery(location, 'digest', digest), agent, timeoutMs: bigTimeout });
      expectStatus(put, 201, 'PUT (complete chunked upload)');
    });
    await verifyBlob(target, repo, digest, blob.size);
    return { bytes: blob.size, seconds, clientCpuPercent: cpuPercent };
  } finally {
    agent.destroy();
  }
}

async function verifyBlob(target: Target, repo: string, digest: string, size: number): Promise<void> {
  const head = expectStatus(await send(target, { method: 'HEAD', path: `/v2/${repo}/blobs/${digest}` }), 200, 'HEAD after push');
  if (Number(head.headers['content-length']) !== size) throw new Error(`HEAD after push: Content-Length ${String(head.headers['content-length'])}, expected ${size}`);
}

/** GET the blob `repeat` times, verifying every byte; reports the fastest run. */
export async function pull(target: Target, repo: string, digest: string, size: number, repeat: number): Promise<TransferResult> {
  const runs: number[] = [];
  let best: TransferResult | undefined;
  for (let i = 0; i < repeat; i++) {
    const { value, seconds, cpuPercent } = await timed(() => download(target, `/v2/${repo}/blobs/${digest}`, bigTimeout));
    if (value.status !== 200) throw new Error(`GET blob: HTTP ${value.status}`);
    if (value.bytes !== size || value.digest !== digest) throw new Error(`GET blob: got ${value.bytes} bytes with ${value.digest}, expected ${size} with ${digest}`);
    if (value.header !== digest) throw new Error(`GET blob: Docker-Content-Digest ${String(value.header)}`);
    runs.push(seconds);
    if (!best || seconds < best.seconds) best = { bytes: size, seconds, clientCpuPercent: cpuPercent };
  }
  return { ...best!, runs };
}

export interface SmallBlob {
  body: Buffer;
  digest: string;
}

export function makeSmallBlobs(count: number, size: number): SmallBlob[] {
  return Array.from({ length: count }, (_, i) => {
    const body = randomBytes(100_000 + i, size);
    return { body, digest: sha256(body) };
  });
}

/** Pushes every blob (one single-request upload each) with `concurrency` uploads in flight. */
export async function pushMany(target: Target, repo: string, blobs: SmallBlob[], concurrency: number, mode: SingleUploadMode): Promise<CountResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
  try {
    let next = 0;
    const { seconds, cpuPercent } = await timed(() =>
      Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < blobs.length) {
            const blob = blobs[next++]!;
            await uploadSingle(target, repo, blob.digest, blob.body.length, blob.body, mode, agent);
          }
        }),
      ),
    );
    for (const blob of [blobs[0]!, blobs[blobs.length - 1]!]) await verifyBlob(target, repo, blob.digest, blob.body.length);
    return { count: blobs.length, bytes: blobs.reduce((n, b) => n + b.body.length, 0), seconds, clientCpuPercent: cpuPercent };
  } finally {
    agent.destroy();
  }
}

export const schema2 = 'application/vnd.docker.distribution.manifest.v2+json';

export interface SmallImage {
  manifestPath: string;
  manifestDigest: string;
  layerPath: string;
}

/** A config blob, one 32 KiB layer and a schema 2 manifest, tagged `latest`. */
export async function pushSmallImage(target: Target, repo: string, mode: SingleUploadMode): Promise<SmallImage> {
  const layer = randomBytes(777, 32 * 1024);
  const layerDigest = sha256(layer);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: [layerDigest] },
      history: [{ created: '2024-01-01T00:00:00Z', created_by: 'wharf bench' }],
    }),
  );
  const configDigest = sha256(config);
  await uploadSingle(target, repo, configDigest, config.length, config, mode);
  await uploadSingle(target, repo, layerDigest, layer.length, layer, mode);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: schema2,
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: configDigest },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layer.length, digest: layerDigest }],
    }),
  );
  const manifestDigest = sha256(manifest);
  const put = await send(target, { method: 'PUT', path: `/v2/${repo}/manifests/latest`, headers: { 'content-type': schema2 }, body: manifest });
  expectStatus(put, 201, 'PUT manifest');
  const manifestPath = `/v2/${repo}/manifests/latest`;
  const get = expectStatus(await send(target, { method: 'GET', path: manifestPath, headers: { accept: schema2 } }), 200, 'GET manifest');
  if (!get.body.equals(manifest) || get.headers['docker-content-digest'] !== manifestDigest) throw new Error('GET manifest: content or digest differs from what was pushed');
  return { manifestPath, manifestDigest, layerPath: `/v2/${repo}/blobs/${layerDigest}` };
}

export function requestLoad(target: Target, options: LoadOptions): Promise<LoadResult> {
  return load(target, options);
}
