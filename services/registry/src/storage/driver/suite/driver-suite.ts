// The one conformance suite every storage driver passes unchanged, as Distribution's
// registry/storage/driver/testsuites does. A driver's own test file is a few lines:
//
//   describeDriverSuite('memory', async () => createMemoryDriver());
//
// makeDriver must return an empty driver each time it is called (the suite calls it once for the
// shared driver and again where it needs a fresh one); cleanup runs once, after everything.
// Every driver is used through checked(), exactly as the registry uses it.
import assert from 'node:assert/strict';
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { checked } from '../checked.js';
import type { DriverErrorKind, StorageDriver } from '../driver.js';
import { StorageDriverError } from '../driver.js';

const MiB = 1024 * 1024;

/** Asserts that the operation rejects with a StorageDriverError of the given kind. */
async function rejectsWith(kind: DriverErrorKind, operation: () => Promise<unknown>): Promise<void> {
  await assert.rejects(operation, (err: unknown) => {
    assert.ok(err instanceof StorageDriverError, `expected StorageDriverError(${kind}), got ${String(err)}`);
    assert.equal(err.kind, kind);
    return true;
  });
}

/** A byte stream of the given parts, one chunk per part. */
function streamOf(...parts: (string | Uint8Array)[]): Readable {
  return Readable.from(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** Random chunks of chunkSize up to total bytes, hashed as they are produced; keeps the last chunk. */
async function* generated(total: number, chunkSize: number, hash: Hash, last: { chunk?: Buffer }): AsyncGenerator<Buffer> {
  for (let produced = 0; produced < total; produced += chunkSize) {
    const chunk = randomBytes(Math.min(chunkSize, total - produced));
    hash.update(chunk);
    last.chunk = chunk;
    yield chunk;
  }
}

export function describeDriverSuite(
  name: string,
  makeDriver: () => Promise<StorageDriver>,
  cleanup?: () => Promise<void>,
): void {
  describe(`storage driver conformance: ${name}`, () => {
    let driver: StorageDriver;
    let counter = 0;
    /** A path no other test uses, so tests never see each other's files. */
    const fresh = (label: string): string => `/suite-${++counter}-${label}`;

    before(async () => {
      driver = checked(await makeDriver());
    });

    after(async () => {
      await driver?.close?.();
      await cleanup?.();
    });

    describe('root', () => {
      it('exists in an empty driver: stat is a directory and list is empty', async () => {
        const empty = checked(await makeDriver());
        try {
          const info = await empty.stat('/');
          assert.equal(info.isDirectory, true);
          assert.deepEqual(await empty.list('/'), []);
        } finally {
          await empty.close?.();
        }
      });

      it('lists top-level directories as full paths', async () => {
        const dir = fresh('root');
        await driver.putContent(`${dir}/file`, Buffer.from('x'));
        const entries = await driver.list('/');
        assert.ok(entries.includes(dir), `list('/') should include ${dir}: ${entries.join(', ')}`);
        assert.equal(entries.filter((e) => e === dir).length, 1);
      });
    });

    describe('path grammar and traversal', () => {
      const invalid = ['/a/../b', 'a/b', '//x', '', '/a/./b', '/..', '/.', '/a/', '/a b', '/a#b', '/a\\b', '/a/\u00e9'];

      for (const bad of invalid) {
        it(`rejects ${JSON.stringify(bad)} with InvalidPath for every operation`, async () => {
          const good = `${fresh('grammar')}/file`;
          await driver.putContent(good, Buffer.from('kept'));
          await rejectsWith('InvalidPath', () => driver.getContent(bad));
          await rejectsWith('InvalidPath', () => driver.putContent(bad, Buffer.from('x')));
          await rejectsWith('InvalidPath', () => driver.reader(bad));
          await rejectsWith('InvalidPath', () => driver.reader(bad, { offset: 1 }));
          await rejectsWith('InvalidPath', () => driver.writer(bad, false));
          await rejectsWith('InvalidPath', () => driver.writer(bad, true));
          await rejectsWith('InvalidPath', () => driver.stat(bad));
          await rejectsWith('InvalidPath', () => driver.list(bad));
          await rejectsWith('InvalidPath', () => driver.move(bad, `${good}-moved`));
          await rejectsWith('InvalidPath', () => driver.move(good, bad));
          await rejectsWith('InvalidPath', () => driver.delete(bad));
          // The rejected move left the source where it was.
          assert.equal((await driver.getContent(good)).toString(), 'kept');
        });
      }

      it('refuses "/" for file operations and allows it for stat and list', async () => {
        const good = `${fresh('slash')}/file`;
        await driver.putContent(good, Buffer.from('kept'));
        await rejectsWith('InvalidPath', () => driver.getContent('/'));
        await rejectsWith('InvalidPath', () => driver.putContent('/', Buffer.from('x')));
        await rejectsWith('InvalidPath', () => driver.reader('/'));
        await rejectsWith('InvalidPath', () => driver.writer('/', false));
        await rejectsWith('InvalidPath', () => driver.move('/', good));
        await rejectsWith('InvalidPath', () => driver.move(good, '/'));
        await rejectsWith('InvalidPath', () => driver.delete('/'));
        assert.equal((await driver.stat('/')).isDirectory, true);
        assert.ok(Array.isArray(await driver.list('/')));
        assert.equal((await driver.getContent(good)).toString(), 'kept');
      });

      it('reports the invalid path before an invalid offset', async () => {
        await rejectsWith('InvalidPath', () => driver.reader('/a/../b', { offset: -1 }));
      });

      it('accepts every character of the grammar', async () => {
        const path = `${fresh('chars')}/A-z_0.9:tag/...x/sha256:abc`;
        await driver.putContent(path, Buffer.from('ok'));
        assert.equal((await driver.getContent(path)).toString(), 'ok');
      });
    });

    describe('putContent and getContent', () => {
      it('round-trips bytes and creates parent directories', async () => {
        const dir = fresh('put');
        const content = randomBytes(4096);
        await driver.putContent(`${dir}/a/b/c`, content);
        assert.deepEqual(await driver.getContent(`${dir}/a/b/c`), content);
        assert.equal((await driver.stat(`${dir}/a/b`)).isDirectory, true);
      });

      it('round-trips zero bytes', async () => {
        const path = fresh('zero');
        await driver.putContent(path, new Uint8Array(0));
        const read = await driver.getContent(path);
        assert.equal(read.length, 0);
        assert.equal((await driver.stat(path)).size, 0);
      });

      it('overwrites with shorter content, leaving nothing of the old', async () => {
        const path = fresh('overwrite');
        await driver.putContent(path, Buffer.from('a much longer first value'));
        await driver.putContent(path, Buffer.from('short'));
        assert.equal((await driver.getContent(path)).toString(), 'short');
        assert.equal((await driver.stat(path)).size, 5);
      });

      it('keeps its own copy: changing the input or the result later changes nothing stored', async () => {
        const path = fresh('copy');
        const input = Buffer.from('original');
        await driver.putContent(path, input);
        input.fill(0x78);
        const first = await driver.getContent(path);
        first.fill(0x79);
        assert.equal((await driver.getContent(path)).toString(), 'original');
      });
    });

    describe('missing paths are typed PathNotFound', () => {
      it('for getContent, reader, stat, list, move and delete', async () => {
        const missing = `${fresh('missing')}/nothing`;
        await rejectsWith('PathNotFound', () => driver.getContent(missing));
        await rejectsWith('PathNotFound', () => driver.reader(missing));
        await rejectsWith('PathNotFound', () => driver.reader(missing, { offset: 10 }));
        await rejectsWith('PathNotFound', () => driver.stat(missing));
        await rejectsWith('PathNotFound', () => driver.list(missing));
        await rejectsWith('PathNotFound', () => driver.move(missing, `${missing}-dest`));
        await rejectsWith('PathNotFound', () => driver.delete(missing));
      });

      it('for a path below a file', async () => {
        const file = fresh('below');
        await driver.putContent(file, Buffer.from('file'));
        await rejectsWith('PathNotFound', () => driver.getContent(`${file}/child`));
        await rejectsWith('PathNotFound', () => driver.stat(`${file}/child`));
        await rejectsWith('PathNotFound', () => driver.list(`${file}/child`));
      });

      it('for getContent and reader of a directory, and list of a file', async () => {
        const dir = fresh('dir');
        await driver.putContent(`${dir}/file`, Buffer.from('x'));
        await rejectsWith('PathNotFound', () => driver.getContent(dir));
        await rejectsWith('PathNotFound', () => driver.reader(dir));
        await rejectsWith('PathNotFound', () => driver.list(`${dir}/file`));
      });
    });

    describe('reader', () => {
      const content = Buffer.from('0123456789abcdef');
      let path: string;
      before(async () => {
        path = fresh('reader');
        await driver.putContent(path, content);
      });

      it('reads the whole file', async () => {
        assert.deepEqual(await readAll(await driver.reader(path)), content);
      });

      it('reads from an offset to the end', async () => {
        assert.equal((await readAll(await driver.reader(path, { offset: 10 }))).toString(), 'abcdef');
      });

      it('reads up to an inclusive end', async () => {
        assert.equal((await readAll(await driver.reader(path, { end: 3 }))).toString(), '0123');
        assert.equal((await readAll(await driver.reader(path, { offset: 4, end: 4 }))).toString(), '4');
        assert.equal((await readAll(await driver.reader(path, { offset: 4, end: 9 }))).toString(), '456789');
      });

      it('stops at the end of the file when end is beyond it', async () => {
        assert.equal((await readAll(await driver.reader(path, { offset: 12, end: 1000 }))).toString(), 'cdef');
      });

      it('reads nothing at an offset equal to the size', async () => {
        assert.equal((await readAll(await driver.reader(path, { offset: content.length }))).length, 0);
      });

      it('rejects an offset beyond the size with InvalidOffset', async () => {
        await rejectsWith('InvalidOffset', () => driver.reader(path, { offset: content.length + 1 }));
      });

      it('rejects negative, fractional and unsafe offsets and an end before the offset with InvalidOffset', async () => {
        await rejectsWith('InvalidOffset', () => driver.reader(path, { offset: -1 }));
        await rejectsWith('InvalidOffset', () => driver.reader(path, { offset: 1.5 }));
        await rejectsWith('InvalidOffset', () => driver.reader(path, { offset: Number.MAX_SAFE_INTEGER + 1 }));
        await rejectsWith('InvalidOffset', () => driver.reader(path, { offset: 5, end: 4 }));
        await rejectsWith('InvalidOffset', () => driver.reader(path, { end: -1 }));
        await rejectsWith('InvalidOffset', () => driver.reader(path, { end: 2.5 }));
      });

      it('hands out chunks the caller may change without changing what is stored', async () => {
        const path2 = fresh('reader-owned');
        await driver.putContent(path2, Buffer.from('stored'));
        for await (const chunk of await driver.reader(path2)) (chunk as Buffer).fill(0x7a);
        assert.equal((await driver.getContent(path2)).toString(), 'stored');
      });
    });

    describe('writer', () => {
      it('appends, closes, resumes with append=true, and commits the whole', async () => {
        const path = `${fresh('resume')}/data`;
        const first = await driver.writer(path, false);
        assert.equal(first.size, 0);
        assert.equal(await first.append(streamOf('hello', ', ')), 7);
        assert.equal(await first.append(streamOf('world')), 5);
        assert.equal(first.size, 12);
        await first.close();

        const resumed = await driver.writer(path, true);
        assert.equal(resumed.size, 12, 'a resumed writer counts the earlier session');
        assert.equal(await resumed.append(streamOf('!', ' again')), 7);
        assert.equal(resumed.size, 19);
        await resumed.commit();

        assert.equal((await driver.getContent(path)).toString(), 'hello, world! again');
        assert.equal((await driver.stat(path)).size, 19);
      });

      it('resumes on top of content written by putContent', async () => {
        const path = fresh('resume-put');
        await driver.putContent(path, Buffer.from('abc'));
        const writer = await driver.writer(path, true);
        assert.equal(writer.size, 3);
        await writer.append(streamOf('def'));
        await writer.commit();
        assert.equal((await driver.getContent(path)).toString(), 'abcdef');
      });

      it('commits an empty file when nothing was appended, whether or not append was asked', async () => {
        const fresh1 = fresh('empty-new');
        const fresh2 = fresh('empty-append');
        for (const [path, append] of [[fresh1, false], [fresh2, true]] as const) {
          const writer = await driver.writer(path, append);
          assert.equal(writer.size, 0);
          await writer.commit();
          const info = await driver.stat(path);
          assert.equal(info.size, 0, `append=${append}`);
          assert.equal(info.isDirectory, false);
          assert.equal((await driver.getContent(path)).length, 0);
        }
      });

      it('takes nothing from an empty stream', async () => {
        const path = fresh('empty-stream');
        const writer = await driver.writer(path, false);
        assert.equal(await writer.append(streamOf()), 0);
        await writer.append(streamOf('x'));
        assert.equal(await writer.append(streamOf()), 0);
        assert.equal(writer.size, 1);
        await writer.commit();
        assert.equal((await driver.getContent(path)).toString(), 'x');
      });

      it('truncates existing content when opened with append=false', async () => {
        const path = fresh('truncate');
        await driver.putContent(path, Buffer.from('old content that is long'));
        const writer = await driver.writer(path, false);
        assert.equal(writer.size, 0);
        await writer.append(streamOf('new'));
        await writer.commit();
        assert.equal((await driver.getContent(path)).toString(), 'new');
      });

      it('cancel leaves nothing behind, including earlier sessions', async () => {
        const path = `${fresh('cancel')}/data`;
        const first = await driver.writer(path, false);
        await first.append(streamOf('first session'));
        await first.close();
        const second = await driver.writer(path, true);
        await second.append(streamOf(' second session'));
        await second.cancel();
        await rejectsWith('PathNotFound', () => driver.stat(path));
        await rejectsWith('PathNotFound', () => driver.getContent(path));
        const again = await driver.writer(path, true);
        assert.equal(again.size, 0, 'a writer after cancel starts from nothing');
        await again.cancel();
        await rejectsWith('PathNotFound', () => driver.stat(path));
      });

      it('keeps its own copy of appended bytes once append resolves', async () => {
        const path = fresh('writer-copy');
        const buffer = Buffer.from('appended');
        const writer = await driver.writer(path, false);
        await writer.append(Readable.from([buffer]));
        buffer.fill(0x71);
        await writer.commit();
        assert.equal((await driver.getContent(path)).toString(), 'appended');
      });

      it('rejects an append whose source fails', async () => {
        const path = fresh('writer-fail');
        const writer = await driver.writer(path, false);
        const failing = new Readable({
          read() {
            this.destroy(new Error('source broke'));
          },
        });
        await assert.rejects(writer.append(failing), /source broke/);
        await writer.cancel();
        await rejectsWith('PathNotFound', () => driver.stat(path));
      });

      it('round-trips a 64 MiB stream without holding it whole', { timeout: 300_000 }, async () => {
        const path = `${fresh('large')}/data`;
        const total = 64 * MiB;
        const written = createHash('sha256');
        const last: { chunk?: Buffer } = {};
        const writer = await driver.writer(path, false);
        assert.equal(await writer.append(Readable.from(generated(total, MiB, written, last))), total);
        assert.equal(writer.size, total);
        await writer.commit();
        assert.equal((await driver.stat(path)).size, total);

        const read = createHash('sha256');
        let count = 0;
        for await (const chunk of await driver.reader(path)) {
          const bytes = chunk as Buffer;
          read.update(bytes);
          count += bytes.length;
        }
        assert.equal(count, total);
        assert.equal(read.digest('hex'), written.digest('hex'));

        const tail = last.chunk;
        assert.ok(tail);
        const ranged = await readAll(await driver.reader(path, { offset: total - 1000, end: total - 11 }));
        assert.deepEqual(ranged, tail.subarray(tail.length - 1000, tail.length - 10));
      });
    });

    describe('stat', () => {
      it('describes a file', async () => {
        const path = `${fresh('stat')}/file`;
        const started = Date.now();
        await driver.putContent(path, Buffer.from('12345'));
        const info = await driver.stat(path);
        assert.equal(info.path, path);
        assert.equal(info.size, 5);
        assert.equal(info.isDirectory, false);
        assert.ok(info.modTime instanceof Date && !Number.isNaN(info.modTime.getTime()));
        assert.ok(info.modTime.getTime() >= started - 2000, 'modTime is recent');
      });

      it('describes a directory', async () => {
        const dir = fresh('stat-dir');
        await driver.putContent(`${dir}/sub/file`, Buffer.from('x'));
        for (const path of [dir, `${dir}/sub`]) {
          const info = await driver.stat(path);
          assert.equal(info.path, path);
          assert.equal(info.isDirectory, true);
          assert.ok(info.modTime instanceof Date && !Number.isNaN(info.modTime.getTime()));
        }
      });
    });

    describe('list', () => {
      it('returns the full paths of direct children, files and directories, each once', async () => {
        const dir = fresh('list');
        for (const file of ['a', 'b/c', 'b/d', 'e/f/g', 'e/f/h', 'ab']) {
          await driver.putContent(`${dir}/${file}`, Buffer.from(file));
        }
        assert.deepEqual((await driver.list(dir)).sort(), [`${dir}/a`, `${dir}/ab`, `${dir}/b`, `${dir}/e`]);
        assert.deepEqual((await driver.list(`${dir}/b`)).sort(), [`${dir}/b/c`, `${dir}/b/d`]);
        assert.deepEqual(await driver.list(`${dir}/e`), [`${dir}/e/f`]);
      });

      it('does not match a directory by a name prefix', async () => {
        const dir = fresh('list-prefix');
        await driver.putContent(`${dir}/abc/x`, Buffer.from('x'));
        await rejectsWith('PathNotFound', () => driver.list(`${dir}/ab`));
      });
    });

    describe('move', () => {
      it('moves into new parent directories; the source is gone', async () => {
        const dir = fresh('move');
        await driver.putContent(`${dir}/src`, Buffer.from('moving'));
        await driver.move(`${dir}/src`, `${dir}/x/y/dest`);
        assert.equal((await driver.getContent(`${dir}/x/y/dest`)).toString(), 'moving');
        assert.equal((await driver.stat(`${dir}/x/y`)).isDirectory, true);
        await rejectsWith('PathNotFound', () => driver.stat(`${dir}/src`));
        assert.deepEqual((await driver.list(dir)).sort(), [`${dir}/x`]);
      });

      it('replaces an existing destination', async () => {
        const dir = fresh('move-replace');
        await driver.putContent(`${dir}/src`, Buffer.from('new'));
        await driver.putContent(`${dir}/dest`, Buffer.from('old and longer'));
        await driver.move(`${dir}/src`, `${dir}/dest`);
        assert.equal((await driver.getContent(`${dir}/dest`)).toString(), 'new');
        assert.equal((await driver.stat(`${dir}/dest`)).size, 3);
        await rejectsWith('PathNotFound', () => driver.getContent(`${dir}/src`));
      });

      it('moves a committed writer', async () => {
        const dir = fresh('move-writer');
        const writer = await driver.writer(`${dir}/upload/data`, false);
        await writer.append(streamOf('blob bytes'));
        await writer.commit();
        await driver.move(`${dir}/upload/data`, `${dir}/blobs/data`);
        assert.equal((await driver.getContent(`${dir}/blobs/data`)).toString(), 'blob bytes');
        await rejectsWith('PathNotFound', () => driver.stat(`${dir}/upload/data`));
      });

      it('of a missing source changes nothing at the destination', async () => {
        const dir = fresh('move-missing');
        await driver.putContent(`${dir}/dest`, Buffer.from('kept'));
        await rejectsWith('PathNotFound', () => driver.move(`${dir}/nothing`, `${dir}/dest`));
        assert.equal((await driver.getContent(`${dir}/dest`)).toString(), 'kept');
        await rejectsWith('PathNotFound', () => driver.move(`${dir}/nothing`, `${dir}/new/parent/dest`));
        await rejectsWith('PathNotFound', () => driver.stat(`${dir}/new`));
        assert.deepEqual(await driver.list(dir), [`${dir}/dest`]);
      });
    });

    describe('delete', () => {
      it('deletes a file and keeps its siblings', async () => {
        const dir = fresh('delete');
        await driver.putContent(`${dir}/a`, Buffer.from('a'));
        await driver.putContent(`${dir}/b`, Buffer.from('b'));
        await driver.delete(`${dir}/a`);
        await rejectsWith('PathNotFound', () => driver.stat(`${dir}/a`));
        assert.deepEqual(await driver.list(dir), [`${dir}/b`]);
        await rejectsWith('PathNotFound', () => driver.delete(`${dir}/a`));
      });

      it('deletes a whole tree and nothing that merely shares its name prefix', async () => {
        const dir = fresh('delete-tree');
        for (const file of ['t/a', 't/b/c', 't/b/d/e', 'tx/keep', 't2']) {
          await driver.putContent(`${dir}/${file}`, Buffer.from(file));
        }
        await driver.delete(`${dir}/t`);
        for (const gone of ['t', 't/a', 't/b', 't/b/c', 't/b/d/e']) {
          await rejectsWith('PathNotFound', () => driver.stat(`${dir}/${gone}`));
        }
        await rejectsWith('PathNotFound', () => driver.list(`${dir}/t`));
        assert.deepEqual((await driver.list(dir)).sort(), [`${dir}/t2`, `${dir}/tx`]);
        assert.equal((await driver.getContent(`${dir}/tx/keep`)).toString(), 'tx/keep');
      });
    });

    describe('concurrency', () => {
      it('concurrent putContent to one path never exposes a mixed or partial value', { timeout: 120_000 }, async () => {
        const path = `${fresh('race')}/value`;
        const size = MiB;
        // Value i is size bytes of i, so a read is valid exactly when it equals values[read[0]].
        const values = Array.from({ length: 8 }, (_, i) => Buffer.alloc(size, i));
        const initial = values[0];
        assert.ok(initial);
        await driver.putContent(path, initial);

        let writing = true;
        let reads = 0;
        const reader = async (): Promise<void> => {
          while (writing) {
            const read = await driver.getContent(path);
            const expected = values[read[0] ?? -1];
            assert.ok(expected && read.equals(expected), `read ${read.length} bytes that are not one written value`);
            reads++;
          }
        };
        const writers = async (): Promise<void> => {
          for (let round = 0; round < 4; round++) {
            await Promise.all(values.map((v) => driver.putContent(path, v)));
          }
        };
        const readers = [reader(), reader(), reader()];
        try {
          await writers();
        } finally {
          writing = false;
          await Promise.all(readers);
        }
        assert.ok(reads > 0);
        const final = await driver.getContent(path);
        assert.ok(values.some((v) => v.equals(final)));
      });

      it('several concurrent writers to different paths each keep their own bytes', async () => {
        const dir = fresh('writers');
        const count = 8;
        const writers = await Promise.all(
          Array.from({ length: count }, (_, i) => driver.writer(`${dir}/w${i}/data`, false)),
        );
        const expected = Array.from({ length: count }, () => [] as Buffer[]);
        for (let round = 0; round < 5; round++) {
          await Promise.all(
            writers.map((w, i) => {
              const chunk = randomBytes(1000 + i * 100 + round);
              expected[i]?.push(chunk);
              return w.append(streamOf(chunk));
            }),
          );
        }
        await Promise.all(writers.map((w) => w.commit()));
        for (let i = 0; i < count; i++) {
          const want = Buffer.concat(expected[i] ?? []);
          assert.equal(writers[i]?.size, want.length);
          assert.deepEqual(await driver.getContent(`${dir}/w${i}/data`), want);
        }
        assert.equal((await driver.list(dir)).length, count);
      });
    });
  });
}
