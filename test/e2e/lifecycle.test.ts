// Issue #12, items 11 and 12: `wharf serve` exits when one of its listeners cannot start, and
// SIGINT/SIGTERM drain in-flight requests (a slow upload gets its answer) before the process
// exits; a second signal exits at once; a drain that outlasts http.drainTimeout is cut.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { timedGet } from '../helpers/stalled-connections.js';
import { spawnWharf, type WharfCommand, type WharfProcess } from '../helpers/wharf-process.js';

/** Sends `chunks` bytes to url, one a tick of `everyMs`: resolves with the status or the error. */
function slowRequest(url: string, path: string, contentType: string, body: Buffer, everyMs: number): Promise<{ status?: number; error?: string }> {
  return new Promise((resolve) => {
    const req = request(`${url}${path}`, { method: 'POST', agent: false, headers: { 'Content-Type': contentType, 'Content-Length': body.length } }, (res) => {
      res.resume().on('end', () => resolve({ status: res.statusCode }));
      res.on('error', (err) => resolve({ error: err.message }));
    });
    req.on('error', (err) => resolve({ error: err.message }));
    let sent = 0;
    const step = Math.ceil(body.length / 10);
    const timer = setInterval(() => {
      if (req.destroyed) return clearInterval(timer);
      req.write(body.subarray(sent, sent + step));
      sent += step;
      if (sent >= body.length) {
        clearInterval(timer);
        req.end();
      }
    }, everyMs);
  });
}

const blob = Buffer.alloc(64 * 1024, 7);
const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;

/** A request each kind of process takes slowly: a monolithic blob upload, or a JSON body to the index. */
function slowUpload(wharf: WharfProcess, command: WharfCommand, everyMs: number) {
  if (command === 'index') return slowRequest(wharf.url, '/api/orgs', 'application/json', Buffer.from(JSON.stringify({ name: 'x'.repeat(2000) })), everyMs);
  return slowRequest(wharf.url, `/v2/drain/blobs/uploads/?digest=${digest}`, 'application/octet-stream', blob, everyMs);
}

const expected: Record<WharfCommand, number> = { registry: 201, serve: 201, index: 401 };
const cases: { name: string; command: WharfCommand; workers?: number }[] = [
  { name: 'wharf registry', command: 'registry' },
  { name: 'wharf index', command: 'index' },
  { name: 'wharf serve', command: 'serve' },
  { name: 'wharf registry --workers 2', command: 'registry', workers: 2 },
];

/** Short drain timeouts for both services; serve's registry takes anonymous pushes. */
function drainEnv(timeout: string): Record<string, string> {
  return {
    WHARF_REGISTRY_HTTP_DRAINTIMEOUT: timeout,
    WHARF_INDEX_HTTP_DRAINTIMEOUT: timeout,
    WHARF_REGISTRY_AUTH_NONE: '{}',
  };
}

async function exitedWithin(wharf: WharfProcess, ms: number) {
  const result = await Promise.race([wharf.exited, sleep(ms).then(() => undefined)]);
  assert.ok(result, `still running ${ms} ms later:\n${wharf.logs().slice(-3000)}`);
  return result;
}

describe('wharf serve with a port taken', () => {
  it('exits non-zero at once when the registry cannot listen, though the index could', { timeout: 60_000 }, async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    const free = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as { port: number }).port;
        probe.close(() => resolve(p));
      });
    });
    const wharf = await spawnWharf('serve', { hosts: [`127.0.0.1:${free}`, `127.0.0.1:${port}`], waitReady: false });
    try {
      const { code } = await exitedWithin(wharf, 20_000);
      assert.notEqual(code, 0);
      assert.match(wharf.logs(), /EADDRINUSE/);
    } finally {
      blocker.close();
      await wharf.stop();
    }
  });
});

for (const { name, command, workers } of cases) {
  describe(`${name} on SIGTERM`, { timeout: 120_000 }, () => {
    it('stops accepting, logs it, lets the slow upload finish, then exits 0 (a doubled Ctrl-C counts once)', async () => {
      const wharf = await spawnWharf(command, { workers, env: drainEnv('20s') });
      try {
        const answer = slowUpload(wharf, command, 150);
        await sleep(400);
        wharf.child.kill('SIGTERM');
        // The same stop delivered twice at once, as a Ctrl-C under `npm start` is (terminal and npm).
        await sleep(50);
        wharf.child.kill('SIGINT');
        await sleep(300);
        const late = await timedGet(`${wharf.url}/healthz`, 1_000);
        assert.ok('error' in late, `a new connection after the signal was served: ${JSON.stringify(late)}`);
        assert.deepEqual(await answer, { status: expected[command] }, wharf.logs().slice(-3000));
        const { code } = await exitedWithin(wharf, 10_000);
        assert.equal(code, 0, wharf.logs().slice(-3000));
        assert.match(wharf.logs(), /draining/);
      } finally {
        await wharf.stop();
      }
    });

    it('exits at once on a second signal, and cuts a drain that outlasts drainTimeout', async () => {
      const twice = await spawnWharf(command, { workers, env: drainEnv('20s') });
      const cut = await spawnWharf(command, { workers, env: drainEnv('1s') });
      try {
        const answers = [slowUpload(twice, command, 1_000), slowUpload(cut, command, 1_000)];
        await sleep(400);
        twice.child.kill('SIGTERM');
        cut.child.kill('SIGTERM');
        // A repeat within a second counts as the same Ctrl-C (terminal and npm both deliver it).
        await sleep(1_200);
        twice.child.kill('SIGINT');
        const started = Date.now();
        await exitedWithin(twice, 2_000);
        assert.ok(Date.now() - started < 2_000);
        const { code } = await exitedWithin(cut, 6_000);
        assert.notEqual(code, null);
        for (const answer of await Promise.all(answers)) assert.ok(answer.error, `answered ${JSON.stringify(answer)}`);
      } finally {
        await Promise.all([twice.stop(), cut.stop()]);
      }
    });
  });
}
