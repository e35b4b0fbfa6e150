// Issue #12, item 3: manifests are read whole, so without a budget every open connection could
// make the registry hold maxManifestBytes. The bytes that arrived count against one budget per
// process: a body that does not fit is refused at once with 503, while bodies that were only
// announced (a client that stalls before sending) hold nothing and lock nobody out.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { pino } from 'pino';
import { registryConfigSchema } from '../../src/config/schema.js';
import { createRegistry } from '../../src/server.js';
import { createMemoryDriver } from '../../src/storage/driver/memory/memory-driver.js';

const ociManifest = 'application/vnd.oci.image.manifest.v1+json';
const budget = 1024 * 1024;

/** A PUT that announces `length` bytes of manifest, sends `sent` of them and stalls. */
function stalledPut(port: number, length: number, sent: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.write(`PUT /v2/tenant/app/manifests/stalled HTTP/1.1\r\nHost: x\r\nContent-Type: ${ociManifest}\r\nContent-Length: ${length}\r\n\r\n`);
      socket.write(Buffer.alloc(sent, 0x20), () => resolve(socket));
    });
    socket.on('error', reject);
  });
}

/** A PUT of `bytes` bytes that are not a manifest: 400 once read, 503 if the budget has no room. */
async function putJunk(port: number, bytes: number): Promise<{ status: number; ms: number; retryAfter: string | null; code?: string }> {
  const started = Date.now();
  const body = `{"junk": "${'x'.repeat(Math.max(0, bytes - 12))}"}`;
  const res = await fetch(`http://127.0.0.1:${port}/v2/tenant/app/manifests/latest`, { method: 'PUT', headers: { 'Content-Type': ociManifest }, body });
  const json = (await res.json()) as { errors?: { code: string }[] };
  return { status: res.status, ms: Date.now() - started, retryAfter: res.headers.get('retry-after'), code: json.errors?.[0]?.code };
}

describe('request bodies read whole share one byte budget', () => {
  it('counts the bytes that arrived: announced-only bodies hold nothing, held bytes refuse what does not fit, closing gives them back', { timeout: 60_000 }, async () => {
    const config = registryConfigSchema.parse({ log: { level: 'silent' }, storage: { memory: {} }, http: { bufferedBodyBytes: budget } });
    const registry = await createRegistry(config, { driver: createMemoryDriver(), logger: pino({ level: 'silent' }) });
    const server: Server = registry.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    const stalled: Socket[] = [];
    const settle = () => new Promise((resolve) => setTimeout(resolve, 300));
    try {
      // Twenty bodies that announce 4 MiB (80 MiB in all) but sent nothing: nobody waits on them.
      for (let i = 0; i < 20; i++) stalled.push(await stalledPut(port, 4 * 1024 * 1024, 0));
      await settle();
      const passes = await putJunk(port, 200_000);
      assert.equal(passes.status, 400, JSON.stringify(passes));
      assert.equal(passes.code, 'MANIFEST_INVALID');

      // One body holds 900 KB of the 1 MiB for real: a 200 KB body cannot fit and is refused at once.
      stalled.push(await stalledPut(port, 1_000_000, 900_000));
      await settle();
      const refused = await putJunk(port, 200_000);
      assert.equal(refused.status, 503, JSON.stringify(refused));
      assert.equal(refused.code, 'UNAVAILABLE');
      assert.equal(refused.retryAfter, '1');
      assert.ok(refused.ms < 3_000, `refused after ${refused.ms} ms`);
      // A small one still fits beside it.
      assert.equal((await putJunk(port, 1_000)).status, 400);

      // A client that goes away gives its bytes back.
      stalled.forEach((s) => s.destroy());
      await settle();
      const judged = await putJunk(port, 200_000);
      assert.equal(judged.status, 400, JSON.stringify(judged));
      assert.equal(judged.code, 'MANIFEST_INVALID');
    } finally {
      stalled.forEach((s) => s.destroy());
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await registry.close();
    }
  });
});
