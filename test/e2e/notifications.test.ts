// Notifications that lose nothing (issue 8), as an operator meets them, with real processes: a
// registry pushes while its endpoints are down, is killed with SIGKILL, and once the receivers
// and the registry are back every event arrives, in order per endpoint. Once with a plain
// receiver behind two endpoints (one ignoring deletes), once with two registry processes over
// one store (one of them killed), once with the index as the receiver, which then knows every
// pushed tag; and with two registry processes over one Ceph RGW bucket pushing concurrently.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOciImage } from '../helpers/images.js';
import { jsonApi } from '../helpers/json-api.js';
import { cliMain, launch, withoutWharfVars, type Launched } from '../helpers/launch.js';
import { answers, freePort, runOk, waitFor, withLogs } from '../helpers/process.js';
import { deleteManifest, pushImageHttp } from '../helpers/registry-api.js';
import { freshS3Storage, removeS3Storage, requireCeph } from '../helpers/ceph.js';
import { s3StorageEnv } from '../helpers/stack.js';

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

interface ReceivedEvent {
  id: string;
  action: string;
  target: { repository: string; digest?: string; tag?: string };
}

/** Records the events POSTed to each path, answering 200. */
async function startReceiver(port: number): Promise<{ events(path: string): ReceivedEvent[]; close(): Promise<void> }> {
  const byPath = new Map<string, ReceivedEvent[]>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { events } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { events: ReceivedEvent[] };
      byPath.set(req.url ?? '', [...(byPath.get(req.url ?? '') ?? []), ...events]);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  cleanups.push(() => (server.listening ? close() : Promise.resolve()));
  return { events: (path) => byPath.get(path) ?? [], close };
}

/**
 * `wharf registry --config FILE` over dataDir (the same on every start), or over the storage
 * these settings name, open, deletes allowed.
 */
async function startRegistry(configFile: string, storage: string | Record<string, string>): Promise<Launched & { url: string }> {
  const server = await launch({
    name: 'wharf registry',
    command: ([host]) => ({
      file: process.execPath,
      args: [cliMain, 'registry', '--config', configFile],
      env: {
        ...withoutWharfVars(process.env),
        WHARF_REGISTRY_HTTP_ADDR: host,
        ...(typeof storage === 'string' ? { WHARF_REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: storage } : storage),
        WHARF_REGISTRY_STORAGE_DELETE_ENABLED: 'true',
        WHARF_REGISTRY_LOG_LEVEL: 'info',
      },
    }),
    ready: ([host]) => answers(`http://${host}/v2/`, [200]),
    portTaken: /EADDRINUSE/,
  });
  cleanups.push(() => server.stop());
  return { ...server, url: `http://${server.hosts[0]}` };
}

/** Events stored in a registry's queue for an endpoint, read from its data directory. */
async function queued(dataDir: string, endpoint: string): Promise<number> {
  const names = await readdir(join(dataDir, 'wharf/notifications', endpoint, 'queue')).catch(() => [] as string[]);
  // <time>-<producer>-<sequence>-<events>-<bytes> (services/registry/src/notifications/queue.ts).
  return names.reduce((sum, name) => sum + Number(name.split('-').at(-2)), 0);
}

/** The first delivery of each event (at least once allows repeats), in arrival order. */
function firstDeliveries(events: ReceivedEvent[]): string[] {
  const seen = new Set<string>();
  return events.filter((e) => !seen.has(e.id) && seen.add(e.id)).map((e) => [e.action, e.target.repository, e.target.digest ?? '', e.target.tag ?? ''].join(' '));
}

describe('durable notifications across a registry crash', () => {
  it('a registry killed while its receiver is down delivers every event after restart, in order per endpoint', async () => {
    const base = await tempDir('wharf-notify-e2e-');
    const dataDir = join(base, 'data');
    const configFile = join(base, 'config.yml');
    const hookPort = await freePort();
    const hook = `http://127.0.0.1:${hookPort}`;
    await writeFile(
      configFile,
      [
        'registry:',
        '  notifications:',
        '    endpoints:',
        `      - { name: audit, url: "${hook}/audit", timeout: 2s, backoff: 100ms, maxBackoff: 1s }`,
        `      - { name: pushes, url: "${hook}/pushes", timeout: 2s, backoff: 100ms, maxBackoff: 1s, ignore: { actions: [delete] } }`,
        '',
      ].join('\n'),
    );

    const first = await startRegistry(configFile, dataDir);
    const expected: string[] = [];
    await withLogs(first, async () => {
      for (let i = 0; i < 6; i++) {
        const name = `team/app-${i % 2}`;
        const image = buildOciImage(1, `notify-e2e-${i}`);
        await pushImageHttp(first.url, name, `v${i}`, image);
        expected.push(`push ${name} ${image.manifestDigest} v${i}`);
        if (i === 3) {
          const res = await deleteManifest(first.url, name, image.manifestDigest);
          assert.equal(res.status, 202);
          expected.push(`delete ${name} ${image.manifestDigest} `);
        }
      }
    });
    // Stored before each request returned, and nothing could be sent.
    assert.equal(await queued(dataDir, 'audit'), 7);
    assert.equal(await queued(dataDir, 'pushes'), 6, 'the delete is ignored by this endpoint');
    await first.kill();

    const receiver = await startReceiver(hookPort);
    const second = await startRegistry(configFile, dataDir);
    await withLogs(second, () =>
      // The killed instance's lease (10 s) runs out before the new one sends.
      waitFor('every event at both endpoints', async () => firstDeliveries(receiver.events('/audit')).length >= 7 && firstDeliveries(receiver.events('/pushes')).length >= 6, 60_000, 200),
    );
    assert.deepEqual(firstDeliveries(receiver.events('/audit')), expected);
    assert.deepEqual(firstDeliveries(receiver.events('/pushes')), expected.filter((e) => e.startsWith('push ')));
    await waitFor('the queues emptied', async () => (await queued(dataDir, 'audit')) + (await queued(dataDir, 'pushes')) === 0, 10_000);
  });

  it('two registry processes over one store: one killed, the other delivers every event of both, each one\'s in order', async () => {
    const base = await tempDir('wharf-notify-two-');
    const dataDir = join(base, 'data');
    const configFile = join(base, 'config.yml');
    const hookPort = await freePort();
    await writeFile(
      configFile,
      ['registry:', '  notifications:', '    endpoints:', `      - { name: audit, url: "http://127.0.0.1:${hookPort}/audit", timeout: 2s, backoff: 100ms, maxBackoff: 1s }`, ''].join('\n'),
    );
    const one = await startRegistry(configFile, dataDir);
    const two = await startRegistry(configFile, dataDir);
    const expected = { one: [] as string[], two: [] as string[] };
    for (let i = 0; i < 8; i++) {
      const [which, registry] = i % 2 === 0 ? (['one', one] as const) : (['two', two] as const);
      const image = buildOciImage(1, `notify-two-${i}`);
      await withLogs(registry, () => pushImageHttp(registry.url, `team/${which}`, `v${i}`, image));
      expected[which].push(`push team/${which} ${image.manifestDigest} v${i}`);
    }
    assert.equal(await queued(dataDir, 'audit'), 8);
    await one.kill();
    const receiver = await startReceiver(hookPort);
    await withLogs(two, () => waitFor('every event of both instances', async () => firstDeliveries(receiver.events('/audit')).length >= 8, 60_000, 200));
    const received = firstDeliveries(receiver.events('/audit'));
    assert.deepEqual(received.filter((e) => e.includes(' team/one ')), expected.one);
    assert.deepEqual(received.filter((e) => e.includes(' team/two ')), expected.two);
    assert.equal(received.length, 8);
  });

  it('the index, down while the registry is killed, knows every pushed tag once both are back', async () => {
    const base = await tempDir('wharf-notify-index-');
    const dataDir = join(base, 'registry');
    await mkdir(join(base, 'index'));
    const secret = 'notify-e2e-secret-0123456789';
    const indexHost = `127.0.0.1:${await freePort()}`;
    const indexEnv = {
      ...withoutWharfVars(process.env),
      WHARF_INDEX_HTTP_ADDR: indexHost,
      WHARF_INDEX_DATABASE_PATH: join(base, 'index', 'index.db'),
      WHARF_INDEX_EVENTS_SECRET: secret,
      WHARF_INDEX_LOG_LEVEL: 'info',
      // The test polls as alice until the tags appear; a not-yet-known repository counts as a failure.
      WHARF_INDEX_RATELIMIT_FAILEDPERACCOUNT: '1000',
    };
    // Always on the same address: the registry's endpoint names it.
    const startIndex = async () => {
      const index = await launch({
        name: 'wharf index',
        command: () => ({ file: process.execPath, args: [cliMain, 'index'], env: indexEnv }),
        ready: () => answers(`http://${indexHost}/keys`, [200]),
        portTaken: /EADDRINUSE/,
        readyTimeoutMs: 30_000,
      });
      cleanups.push(() => index.stop());
      return index;
    };
    await runOk(process.execPath, [cliMain, 'user', 'add', 'alice'], { env: indexEnv, input: 'alice-password-1\n', timeoutMs: 30_000 });
    // The index has run once (its database and keys exist), and is down from here on.
    await (await startIndex()).stop();

    const configFile = join(base, 'config.yml');
    await writeFile(
      configFile,
      [
        'registry:',
        '  notifications:',
        '    endpoints:',
        `      - { name: index, url: "http://${indexHost}/events", headers: { Authorization: "Bearer ${secret}" }, backoff: 100ms, maxBackoff: 1s }`,
        '',
      ].join('\n'),
    );
    const registry = await startRegistry(configFile, dataDir);
    const pushed = new Map<string, string>();
    await withLogs(registry, async () => {
      for (const [i, tag] of ['1.0', '1.1', 'latest', '2.0', 'latest'].entries()) {
        const image = buildOciImage(1, `notify-index-${i}`);
        await pushImageHttp(registry.url, 'alice/app', tag, image);
        pushed.set(tag, image.manifestDigest);
      }
    });
    await registry.kill();

    const index = await startIndex();
    const restarted = await startRegistry(configFile, dataDir);
    const both = { logs: () => `${index.logs()}\n--- registry ---\n${restarted.logs()}` };
    const { api } = jsonApi(`http://${indexHost}`, { name: 'wharf index', ...both });
    let tags: Record<string, string> = {};
    await withLogs(both, () =>
      waitFor('the index to know every pushed tag', async () => {
        const res = await api<{ tags: { tag: string; digest: string }[] }>('GET', '/api/repositories/alice/app', { auth: 'alice:alice-password-1' });
        if (res.status !== 200) return false;
        tags = Object.fromEntries(res.body.tags.map((t) => [t.tag, t.digest]));
        return Object.keys(tags).length === pushed.size && tags.latest === pushed.get('latest');
      }, 60_000, 250),
    );
    // In order: `latest` names the image pushed last under it.
    assert.deepEqual(tags, Object.fromEntries(pushed));
  });
});

const cephSkip = await requireCeph();

describe('durable notifications on Ceph RGW', { skip: cephSkip }, () => {
  it('two registry processes over one bucket, one receiver: every push arrives at least once, each instance\'s in order', { timeout: 300_000 }, async () => {
    const storage = await freshS3Storage('wharf-notify');
    cleanups.push(() => removeS3Storage(storage));
    const base = await tempDir('wharf-notify-ceph-');
    const configFile = join(base, 'config.yml');
    const hookPort = await freePort();
    await writeFile(
      configFile,
      ['registry:', '  notifications:', '    endpoints:', `      - { name: audit, url: "http://127.0.0.1:${hookPort}/audit", timeout: 2s, backoff: 100ms, maxBackoff: 1s }`, ''].join('\n'),
    );
    const env = s3StorageEnv(storage);
    const [one, two] = await Promise.all([startRegistry(configFile, env), startRegistry(configFile, env)]);
    // The receiver is down for the first pushes, up for the rest: the queue in the bucket holds them.
    let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
    const expected = { one: [] as string[], two: [] as string[] };
    const both = { logs: () => `${one.logs()}\n--- second registry ---\n${two.logs()}` };
    await withLogs(both, async () => {
      for (let round = 0; round < 6; round++) {
        if (round === 3) receiver = await startReceiver(hookPort);
        // One push through each instance at the same time, to repositories sharing nothing but the store.
        await Promise.all(
          (['one', 'two'] as const).map(async (which) => {
            const registry = which === 'one' ? one : two;
            const image = buildOciImage(1, `notify-ceph-${which}-${round}`);
            await pushImageHttp(registry.url, `ceph/${which}`, `v${round}`, image);
            expected[which].push(`push ceph/${which} ${image.manifestDigest} v${round}`);
          }),
        );
      }
      await waitFor('every push of both instances at the receiver', async () => firstDeliveries(receiver?.events('/audit') ?? []).length >= 12, 120_000, 250);
    });
    const received = firstDeliveries(receiver?.events('/audit') ?? []);
    assert.deepEqual(received.filter((e) => e.includes(' ceph/one ')), expected.one);
    assert.deepEqual(received.filter((e) => e.includes(' ceph/two ')), expected.two);
    assert.equal(received.length, 12);
  });
});
