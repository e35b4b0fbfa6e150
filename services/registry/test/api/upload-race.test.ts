// Issue #12, item 9: a PATCH racing a DELETE of the same upload. Whichever comes second finds the
// upload gone and answers the spec's 404 BLOB_UPLOAD_UNKNOWN, never a 500.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StorageDriver } from '../../src/storage/driver/driver.js';
import { createFilesystemDriver } from '../../src/storage/driver/filesystem/filesystem-driver.js';
import { createMemoryDriver } from '../../src/storage/driver/memory/memory-driver.js';
import { blobOf, buildRegistry } from './harness.js';

const name = 'team/app';
const rounds = 20;
const chunk = randomBytes(128 * 1024);

interface Answer {
  status: number;
  code?: string | undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends a request whose body goes in two halves, `gapMs` apart. */
function send(port: number, method: string, path: string, body: Buffer | undefined, gapMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: body ? { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length } : {} }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        const code = text.startsWith('{') ? (JSON.parse(text) as { errors?: { code: string }[] }).errors?.[0]?.code : undefined;
        resolve({ status: res.statusCode ?? 0, code });
      });
    });
    req.on('error', reject);
    if (!body) return void req.end();
    req.write(body.subarray(0, body.length / 2));
    setTimeout(() => req.end(body.subarray(body.length / 2)), gapMs);
  });
}

function assertAnswer(answer: Answer, ok: number, what: string): void {
  if (answer.status === ok) return;
  assert.deepEqual(answer, { status: 404, code: 'BLOB_UPLOAD_UNKNOWN' }, what);
}

/** A slow disk: every append starts `ms` late, which widens the window a DELETE can fall into. */
function slowAppends(inner: StorageDriver, ms: number): StorageDriver {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop !== 'writer') return Reflect.get(target, prop, receiver) as unknown;
      return async (path: string, append: boolean) => {
        const writer = await target.writer(path, append);
        const appendLate: typeof writer.append = async (source) => {
          await sleep(ms);
          return writer.append(source);
        };
        return new Proxy(writer, { get: (w, p, r) => (p === 'append' ? appendLate : (Reflect.get(w, p, r) as unknown)) });
      };
    },
  });
}

async function withDriver(kind: 'memory' | 'filesystem', run: (driver: StorageDriver) => Promise<void>): Promise<void> {
  if (kind === 'memory') return run(slowAppends(createMemoryDriver(), 3));
  const root = await mkdtemp(join(tmpdir(), 'wharf-upload-race-'));
  try {
    await run(slowAppends(createFilesystemDriver({ rootDirectory: root }), 3));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** Runs rounds of: start an upload, then `method` on it and a DELETE at jittered moments. */
async function race(kind: 'memory' | 'filesystem', method: 'PATCH' | 'PUT', ok: number): Promise<void> {
  await withDriver(kind, async (driver) => {
    const { registry } = await buildRegistry({ driver });
    const { port } = await registry.listen(0, '127.0.0.1');
    try {
      const blob = blobOf(chunk);
      for (let i = 0; i < rounds; i++) {
        const uploads = await fetch(`http://127.0.0.1:${port}/v2/${name}/blobs/uploads/`, { method: 'POST' });
        assert.equal(uploads.status, 202);
        const location = uploads.headers.get('location') as string;
        const path = method === 'PUT' ? `${location}?digest=${blob.digest}` : location;
        const [written, deleted] = await Promise.all([
          sleep(i % 2).then(() => send(port, method, path, chunk, i % 3)),
          sleep((i >> 1) % 3).then(() => send(port, 'DELETE', location, undefined, 0)),
        ]);
        assertAnswer(written, ok, `${method} in round ${i}`);
        assertAnswer(deleted, 204, `DELETE in round ${i}`);
        // Whatever the order, the upload is gone afterwards.
        assertAnswer(await send(port, 'GET', location, undefined, 0), 404, `GET in round ${i}`);
      }
    } finally {
      await registry.close();
    }
  });
}

describe('PATCH or PUT racing DELETE of one upload', () => {
  for (const kind of ['memory', 'filesystem'] as const) {
    it(`${kind}: a PATCH or DELETE that loses gets 404 BLOB_UPLOAD_UNKNOWN, never 500`, () => race(kind, 'PATCH', 202));
    it(`${kind}: a completing PUT or DELETE that loses gets 404 BLOB_UPLOAD_UNKNOWN, never 500`, () => race(kind, 'PUT', 201));
  }
});
