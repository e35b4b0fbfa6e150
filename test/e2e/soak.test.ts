// Soak test of `wharf serve` under hostile tenants and a hostile network (issue #12): a seeded
// mix of at least 10,000 valid and malformed v2 requests at concurrency 8 (oversized and
// duplicate-reference manifests, upload races, bad tokens ...) while 200 stalled connections
// from other loopback addresses hang on. Zero 5xx, every request answered within 10 s, the
// image pushed before the run pulls back byte-exact after it, and the server's RSS after the
// run is at most 1.5× what it was after a warm-up. Valid requests must get their normal answer.
//
//   WHARF_SOAK_SEED=N        another seed (a failure prints the seed it ran with)
//   WHARF_SOAK_REQUESTS=N    another request count (default 10,000)
//   WHARF_SOAK_LOG=FILE      keep the server's output (warn and up) there
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeLayers, ociImageOf, sha256 } from '../helpers/images.js';
import { processMemory } from '../helpers/proc-status.js';
import { pushImageHttp } from '../helpers/push-http.js';
import { seededRandom } from '../helpers/prng.js';
import { SoakClient } from '../helpers/soak-client.js';
import { nextOp, soakOps, type PinnedImage, type SoakOpName, type SoakTokens, type SoakWorker } from '../helpers/soak-traffic.js';
import { halfBody, halfHeaders, openStalled, type StalledConnections } from '../helpers/stalled-connections.js';
import { startWharfStack, type WharfStack } from '../helpers/wharf-stack.js';

const seed = Number(process.env.WHARF_SOAK_SEED ?? 20261207);
const requestTarget = Number(process.env.WHARF_SOAK_REQUESTS ?? 10_000);
const concurrency = 8;
const answerWithinMs = 10_000;
const stalledCount = 200;
/** New operations stop after this long even if the target was not reached (that fails). */
const runBudgetMs = 150_000;
const warmUpBudgetMs = 40_000;
const maxManifestBytes = 4 * 1024 * 1024;
const rssFactor = 1.5;
const password = 'soak-test-password';
const workerRepos = Array.from({ length: concurrency }, (_, i) => `soak/w${i}`);

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Median VmRSS of `samples` readings `intervalMs` apart. */
async function settledRss(pid: number, samples = 5, intervalMs = 400): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < samples; i++) {
    if (i) await sleep(intervalMs);
    const memory = processMemory(pid);
    if (!memory) throw new Error(`wharf serve (pid ${pid}) is gone`);
    values.push(memory.rss);
  }
  return values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

/** Runs `workers` loops of random operations until the client has sent `count` requests (or the budget is spent). */
async function runMix(workers: SoakWorker[], count: number, budgetMs: number): Promise<Map<SoakOpName, number>> {
  const ops = new Map<SoakOpName, number>();
  const client = workers[0]!.client;
  const deadline = Date.now() + budgetMs;
  await Promise.all(
    workers.map(async (w) => {
      while (client.stats.sent < count && Date.now() < deadline) {
        const name = await nextOp(w);
        ops.set(name, (ops.get(name) ?? 0) + 1);
      }
    }),
  );
  return ops;
}

describe('soak: wharf serve under hostile tenants and a hostile network', { timeout: 6 * 60_000 }, () => {
  let stack: WharfStack;
  let pinned: PinnedImage;
  let tokens: SoakTokens;
  let stalled: StalledConnections | undefined;

  before(async () => {
    stack = await startWharfStack({
      logLevel: 'warn',
      dataDirPrefix: 'wharf-soak-',
      env: { WHARF_REGISTRY_STORAGE_DELETE_ENABLED: 'true', WHARF_INDEX_TOKEN_TTL: '30m', WHARF_REGISTRY_STORAGE_MAXMANIFESTBYTES: String(maxManifestBytes) },
    });
    await stack.addUser('soak', password, { admin: true });
    const auth = `soak:${password}`;
    const writable = [...workerRepos, 'soak/race', 'soak/stall'].map((r) => `repository:${r}:pull,push,delete`);
    const full = await stack.registryToken(auth, 'repository:soak/pinned:pull,push', ...writable, 'registry:catalog:*');
    for (const scope of [...writable, 'registry:catalog:*']) assert.ok(full.scope.includes(scope.split(':').slice(0, 2).join(':')), `token lacks ${scope}: ${full.scope}`);
    const readOnly = await stack.registryToken(auth, 'repository:soak/pinned:pull');
    tokens = { full: full.token, readOnly: readOnly.token };

    // The image that must come back byte-exact: three layers of random bytes.
    const layers = makeLayers(3, `soak-${seed}`, 256);
    const image = ociImageOf(layers, Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) } })));
    await pushImageHttp(stack.registryUrl, 'soak/pinned', 'pinned', image, { bearer: tokens.full });
    pinned = {
      repo: 'soak/pinned',
      tag: 'pinned',
      manifest: image.manifest,
      manifestDigest: image.manifestDigest,
      config: { digest: image.configDigest, size: image.config.length },
      layers: layers.map((l) => ({ digest: l.digest, size: l.gzip.length, content: l.gzip })),
    };
  });

  after(async () => {
    stalled?.close();
    if (process.env.WHARF_SOAK_LOG && stack) await writeFile(process.env.WHARF_SOAK_LOG, stack.logs());
    await stack?.stop();
  });

  it(`answers ${requestTarget} mixed requests at concurrency ${concurrency} without 5xx, in time, byte-exact and without growing`, async (t: TestContext) => {
    const [host, port] = [stack.registryHost.split(':')[0]!, Number(stack.registryHost.split(':')[1])];
    const workersOf = (client: SoakClient, base: number) =>
      Array.from({ length: concurrency }, (_, i): SoakWorker => ({
        client,
        rng: seededRandom(base + i),
        repo: workerRepos[i]!,
        raceRepo: 'soak/race',
        pinned,
        tokens,
        maxManifestBytes,
        id: i,
        serial: 0,
      }));

    // Warm-up (not measured): every operation once, then a short random mix, so JIT, caches and
    // pools are in place before RSS is taken.
    const warmStarted = Date.now();
    const warm = new SoakClient({ host, port, sockets: concurrency, answerWithinMs: 30_000 });
    const warmWorker = workersOf(warm, seed ^ 0x5eed)[0]!;
    for (const [op] of Object.values(soakOps)) if (Date.now() - warmStarted < warmUpBudgetMs / 2) await op(warmWorker);
    // Long enough for the heap and the caches to reach their working size, so the check after the
    // run measures growth (a leak), not the first minutes of a process.
    await runMix(workersOf(warm, seed ^ 0xa11), warm.stats.sent + 2_000, warmUpBudgetMs - (Date.now() - warmStarted));
    warm.close();
    t.diagnostic(`warm-up: ${((Date.now() - warmStarted) / 1000).toFixed(1)} s, ${warm.stats.summary()}`);
    await sleep(1_000);
    const rssBefore = await settledRss(stack.pid);

    const auth = { authorization: `Bearer ${tokens.full}`, 'content-type': 'application/vnd.oci.image.manifest.v1+json' };
    stalled = await openStalled({
      host,
      port,
      count: stalledCount,
      prefixes: [
        halfHeaders('/v2/'),
        halfBody('PUT', '/v2/soak/stall/manifests/stalled', auth, 1024 * 1024, 1000),
        halfBody('POST', `/v2/soak/stall/blobs/uploads/?digest=${sha256('never sent')}`, { ...auth, 'content-type': 'application/octet-stream' }, 8 * 1024 * 1024, 64 * 1024),
      ],
    });
    const stalledOpen = stalled.open();

    const client = new SoakClient({ host, port, sockets: concurrency, answerWithinMs });
    let peakRss = rssBefore;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, processMemory(stack.pid)?.rss ?? 0)), 250);
    const started = Date.now();
    let ops: Map<SoakOpName, number>;
    try {
      ops = await runMix(workersOf(client, seed), requestTarget, runBudgetMs);
    } finally {
      clearInterval(sampler);
      client.close();
    }
    const seconds = (Date.now() - started) / 1000;
    await sleep(2_000);
    const rssAfter = await settledRss(stack.pid);
    const stats = client.stats;

    // The pinned image, fetched afresh, byte for byte.
    const pullProblems: string[] = [];
    const get = async (path: string, accept?: string) => {
      const res = await fetch(`${stack.registryUrl}${path}`, { headers: { authorization: `Bearer ${tokens.readOnly}`, ...(accept ? { accept } : {}) }, signal: AbortSignal.timeout(30_000) });
      return { status: res.status, digest: res.headers.get('docker-content-digest'), body: Buffer.from(await res.arrayBuffer()) };
    };
    const manifest = await get(`/v2/${pinned.repo}/manifests/${pinned.tag}`, 'application/vnd.oci.image.manifest.v1+json');
    if (manifest.status !== 200 || !manifest.body.equals(pinned.manifest) || manifest.digest !== pinned.manifestDigest) {
      pullProblems.push(`manifest: ${manifest.status}, digest header ${manifest.digest}, body ${sha256(manifest.body)} (pushed ${pinned.manifestDigest})`);
    }
    for (const blob of [pinned.config, ...pinned.layers]) {
      const got = await get(`/v2/${pinned.repo}/blobs/${blob.digest}`);
      if (got.status !== 200 || sha256(got.body) !== blob.digest || got.body.length !== blob.size) pullProblems.push(`blob ${blob.digest}: ${got.status}, ${got.body.length} bytes with ${sha256(got.body)}`);
    }

    const summary = [
      `seed ${seed} (WHARF_SOAK_SEED), ${seconds.toFixed(1)} s, ${[...ops.values()].reduce((a, b) => a + b, 0)} operations`,
      stats.summary(),
      `RSS before ${mib(rssBefore)}, after ${mib(rssAfter)} (${(rssAfter / rssBefore).toFixed(2)}×), peak during the run ${mib(peakRss)}`,
      `stalled connections: ${stalledOpen} opened, ${stalled.closedByServer()} closed by the server during the run`,
      `operations: ${[...ops].sort(([a], [b]) => a.localeCompare(b)).map(([name, n]) => `${name} ${n}`).join(', ')}`,
    ];
    for (const line of summary) t.diagnostic(line);

    const failures: string[] = [];
    if (stats.sent < requestTarget) failures.push(`only ${stats.sent} of ${requestTarget} requests were sent within ${runBudgetMs / 1000} s`);
    if (stats.classCount(5) > 0) failures.push(`${stats.classCount(5)} answers with status >= 500:\n    ${stats.serverErrors.join('\n    ')}`);
    if (stats.unanswered > 0) failures.push(`${stats.unanswered} requests unanswered after ${answerWithinMs / 1000} s:\n    ${stats.unansweredSamples.join('\n    ')}`);
    if (pullProblems.length) failures.push(`the image pushed before the run does not pull back byte-exact:\n    ${pullProblems.join('\n    ')}`);
    if (rssAfter > rssFactor * rssBefore) failures.push(`RSS after ${mib(rssAfter)} > ${rssFactor} × before ${mib(rssBefore)}`);
    if (stats.unexpected > 0) failures.push(`${stats.unexpected} valid requests got a wrong answer:\n    ${stats.unexpectedSamples.join('\n    ')}`);
    assert.equal(failures.length, 0, `soak failed (seed ${seed}; rerun with WHARF_SOAK_SEED=${seed}):\n  ${summary.join('\n  ')}\n- ${failures.join('\n- ')}\n--- wharf serve (tail) ---\n${stack.logs().slice(-3000)}`);
  });
});
