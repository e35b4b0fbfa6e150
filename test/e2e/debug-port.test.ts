// The debug listener (`http.debug.addr`, as Distribution's debug server) on `wharf registry` and
// `wharf index`: /metrics moves there from the main port, /healthz and /readyz answer on both, and
// a scrape after real requests shows them counted (requests, storage operations, tokens).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleValue } from '@wharf/common';
import { cliMain, launch, withoutWharfVars, type Launched } from '../helpers/launch.js';
import { answers } from '../helpers/process.js';

async function status(url: string, init: RequestInit = {}): Promise<number> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  await res.arrayBuffer();
  return res.status;
}

async function text(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  assert.equal(res.status, 200, url);
  return res.text();
}

/** Starts `wharf <command>` with its main and debug listeners on two free ports. */
function startWithDebug(command: 'registry' | 'index', dataDir: string): Promise<Launched> {
  const prefix = `WHARF_${command.toUpperCase()}_`;
  return launch({
    name: `wharf ${command} (debug listener)`,
    ports: 2,
    command: ([main, debug]) => ({
      file: process.execPath,
      args: [cliMain, command],
      env: {
        ...withoutWharfVars(process.env),
        [`${prefix}HTTP_ADDR`]: main!,
        [`${prefix}HTTP_DEBUG_ADDR`]: debug!,
        [`${prefix}HTTP_METRICS`]: 'true',
        [`${prefix}LOG_LEVEL`]: 'warn',
        ...(command === 'registry'
          ? { WHARF_REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: join(dataDir, 'registry') }
          : { WHARF_INDEX_DATABASE_PATH: join(dataDir, 'index.db') }),
      },
    }),
    ready: async ([main, debug]) => (await answers(`http://${debug}/readyz`, [200])) && (await answers(`http://${main}/healthz`, [200])),
    portTaken: /EADDRINUSE/,
  });
}

describe('http.debug.addr: metrics and health on a separate listener', () => {
  let dataDir: string;
  let registry: Launched;
  let index: Launched;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'wharf-debug-port-'));
    [registry, index] = await Promise.all([startWithDebug('registry', dataDir), startWithDebug('index', dataDir)]);
  });

  after(async () => {
    await Promise.all([registry?.stop(), index?.stop()]);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('registry: /metrics only on the debug port, counting a real push; health on both', async () => {
    const [main, debug] = registry.hosts as [string, string];
    const blob = Buffer.from('a layer pushed for the debug listener');
    const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
    assert.equal(await status(`http://${main}/v2/debug/app/blobs/uploads/?digest=${digest}`, { method: 'POST', body: blob }), 201);
    assert.equal(await status(`http://${main}/v2/debug/app/blobs/${digest}`, { method: 'HEAD' }), 200);
    assert.equal(await status(`http://${main}/metrics`), 404);
    const scraped = await text(`http://${debug}/metrics`);
    assert.equal(sampleValue(scraped, 'wharf_http_requests_total', { method: 'POST', status: '201' }), 1);
    assert.ok(sampleValue(scraped, 'wharf_storage_operation_duration_seconds_count', { driver: 'filesystem', operation: 'move' })! >= 1);
    for (const host of [main, debug]) {
      assert.equal(await status(`http://${host}/healthz`), 200);
      assert.equal(await status(`http://${host}/readyz`), 200);
    }
    assert.equal(await status(`http://${debug}/v2/`), 404, 'the debug listener serves no API');
  });

  it('index: /metrics only on the debug port, counting a token request', async () => {
    const [main, debug] = index.hosts as [string, string];
    assert.equal(await status(`http://${main}/token?service=wharf-registry`), 200);
    assert.equal(await status(`http://${main}/metrics`), 404);
    const scraped = await text(`http://${debug}/metrics`);
    assert.equal(sampleValue(scraped, 'wharf_http_requests_total', { route: '/token', status: '200' }), 1);
    assert.equal(sampleValue(scraped, 'wharf_index_tokens_issued_total', { grant: 'full' }), 1);
    assert.equal(await status(`http://${debug}/readyz`), 200);
  });
});
