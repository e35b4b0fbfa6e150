// Issue #12, item 3: manifests are read whole, so without a budget every open connection could
// make the registry hold maxManifestBytes. Bodies that announce more than the budget has free
// wait for it (in order), and one that gets none within 10 s is refused with 503, not buffered.
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

/** A PUT that announces `length` bytes of manifest and sends only the first few. */
function stalledPut(port: number, length: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.write(`PUT /v2/tenant/app/manifests/stalled HTTP/1.1\r\nHost: x\r\nContent-Type: ${ociManifest}\r\nContent-Length: ${length}\r\n\r\n{"sche`);
      resolve(socket);
    });
    socket.on('error', reject);
  });
}

async function putManifest(port: number, body: string): Promise<{ status: number; ms: number; retryAfter: string | null; code?: string }> {
  const started = Date.now();
  const res = await fetch(`http://127.0.0.1:${port}/v2/tenant/app/manifests/latest`, { method: 'PUT', headers: { 'Content-Type': ociManifest }, body });
  const json = (await res.json()) as { errors?: { code: string }[] };
  return { status: res.status, ms: Date.now() - started, retryAfter: res.headers.get('retry-after'), code: json.errors?.[0]?.code };
}

describe('request bodies read whole share one byte budget', () => {
  it('a manifest PUT that finds the budget held by stalled bodies gets 503 instead of being buffered; freed bytes serve the next', { timeout: 60_000 }, async () => {
    const config = registryConfigSchema.parse({ log: { level: 'silent' }, storage: { memory: {} }, http: { bufferedBodyBytes: 1024 * 1024 } });
    const registry = await createRegistry(config, { driver: createMemoryDriver(), logger: pino({ level: 'silent' }) });
    const server: Server = registry.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    const stalled: Socket[] = [];
    try {
      // Two bodies that announce half the budget each take all of it, and never finish.
      stalled.push(await stalledPut(port, 512 * 1024), await stalledPut(port, 512 * 1024));
      await new Promise((resolve) => setTimeout(resolve, 200));
      const refused = await putManifest(port, '{"not": "a manifest"}');
      assert.equal(refused.status, 503, JSON.stringify(refused));
      assert.equal(refused.code, 'UNAVAILABLE');
      assert.equal(refused.retryAfter, '10');
      assert.ok(refused.ms >= 9_000, `refused after ${refused.ms} ms, not at once`);

      // Clients that go away give their bytes back: the next PUT is read (and judged) at once.
      stalled.forEach((s) => s.destroy());
      await new Promise((resolve) => setTimeout(resolve, 200));
      const judged = await putManifest(port, '{"not": "a manifest"}');
      assert.equal(judged.status, 400, JSON.stringify(judged));
      assert.equal(judged.code, 'MANIFEST_INVALID');
      assert.ok(judged.ms < 2_000, `answered in ${judged.ms} ms`);
    } finally {
      stalled.forEach((s) => s.destroy());
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await registry.close();
    }
  });
});
