// `wharf registry --workers 2`: two cluster workers behind one port, as an operator scales one
// machine. Every request goes out on a connection of its own, so the kernel's round robin hands
// consecutive requests to different workers: an upload's steps, pulls and metric scrapes cross
// workers as they would behind a real load.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { sampleValue } from '@wharf/common';
import { finishUpload, patchChunk, send, startUpload } from '../helpers/chunked-upload.js';
import { docker, dockerTry, imageId, loadImage, requireDocker, uniqueName } from '../helpers/docker.js';
import { sha256 } from '../helpers/images.js';
import { waitFor } from '../helpers/process.js';
import { pullVerified, pushImage } from '../helpers/push-api.js';
import { startWharf, type RunningRegistry } from '../helpers/stack.js';

/** The live child processes of `pid` (the cluster's workers), from /proc. */
async function childPids(pid: number): Promise<number[]> {
  const children: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid …: comm may hold spaces and parentheses, so split after its last ')'.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(ppid) === pid && state !== 'Z') children.push(Number(entry));
  }
  return children.sort((a, b) => a - b);
}

const skip = process.platform === 'linux' ? undefined : 'finds the workers in /proc (Linux only)';

describe('wharf registry --workers 2', { skip }, () => {
  let registry: RunningRegistry;

  before(async () => {
    registry = await startWharf({ workers: 2, env: { WHARF_REGISTRY_HTTP_METRICS: 'true' } });
    await waitFor('two workers serving', async () => (await childPids(registry.pid)).length === 2 && (await send(`${registry.url}/v2/`, 'GET')).status === 200);
  });
  after(() => registry?.stop());

  it('continues an upload on whichever worker gets each step, and every worker serves the image', async () => {
    const chunks = [randomBytes(300_000), randomBytes(200_000), randomBytes(100_000)];
    const blob = Buffer.concat(chunks);
    let location = await startUpload(registry.url, 'crossing/upload');
    for (const chunk of chunks) ({ location } = await patchChunk(registry.url, location, Readable.from([chunk])));
    await finishUpload(registry.url, location, sha256(blob));
    for (let i = 0; i < 4; i++) {
      const res = await send(`${registry.url}/v2/crossing/upload/blobs/${sha256(blob)}`, 'GET');
      assert.equal(res.status, 200);
      assert.equal(res.headers['docker-content-digest'], sha256(blob));
    }

    const image = await pushImage(registry.url, 'crossing/image', 'v1', [randomBytes(64 * 1024), blob]);
    for (let i = 0; i < 4; i++) await pullVerified(registry.url, 'crossing/image', 'v1', image.digest);
  });

  it('docker pushes through the workers and pulls the image back', { skip: requireDocker(), timeout: 300_000 }, async () => {
    const work = await mkdtemp(join(tmpdir(), 'wharf-workers-docker-'));
    const ref = `${registry.host}/workers/${uniqueName('app')}:v1`;
    try {
      const id = await loadImage(work, ref, 3);
      await docker('push', ref);
      await docker('rmi', ref);
      await docker('pull', ref);
      assert.equal(await imageId(ref), id);
    } finally {
      await dockerTry(['rmi', '-f', ref]);
      await rm(work, { recursive: true, force: true });
    }
  });

  it('counts every worker’s requests in /metrics, whichever worker answers the scrape', async () => {
    const labels = { route: 'v2:base', method: 'GET', status: '200' };
    const scrape = async () => {
      const res = await send(`${registry.url}/metrics`, 'GET');
      assert.equal(res.status, 200, res.text);
      return res.text;
    };
    const before = sampleValue(await scrape(), 'wharf_http_requests_total', labels) ?? 0;
    for (let i = 0; i < 20; i++) assert.equal((await send(`${registry.url}/v2/`, 'GET')).status, 200);
    // Consecutive scrapes reach both workers; each must see all twenty, not its own share.
    for (let i = 0; i < 4; i++) {
      const text = await scrape();
      assert.equal(sampleValue(text, 'wharf_http_requests_total', labels), before + 20, `scrape ${i}`);
      assert.ok((sampleValue(text, 'wharf_http_request_duration_seconds_count', labels) ?? 0) >= before + 20);
    }
  });

  it('replaces a worker that dies, and keeps serving', async () => {
    const [victim, survivor] = await childPids(registry.pid);
    assert.ok(victim !== undefined && survivor !== undefined);
    process.kill(victim, 'SIGKILL');
    await waitFor(
      'a new worker in place of the killed one',
      async () => {
        const now = await childPids(registry.pid);
        return now.length === 2 && !now.includes(victim) && now.includes(survivor);
      },
      20_000,
    );
    // Until the new worker listens, the primary hands connections to the survivor only.
    await waitFor('the replacement serving', async () => (await send(`${registry.url}/v2/`, 'GET')).status === 200, 20_000);
    for (let i = 0; i < 10; i++) assert.equal((await send(`${registry.url}/v2/`, 'GET')).status, 200);
    const res = await send(`${registry.url}/metrics`, 'GET');
    assert.equal(res.status, 200, res.text);
  });
});
