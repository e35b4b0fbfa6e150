// The one-pass layer hasher: bytes as uploaded, payload checksum and diff id, whatever the chunking.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { LayerFormatError, LayerHasher, type LayerDigests } from '../../src/v1/storage/layer-digests.js';
import { sha256, tarOf } from './fixtures.js';

async function hash(json: Buffer, bytes: Buffer, chunkSize: number): Promise<{ digests: LayerDigests; passed: Buffer }> {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunkSize) chunks.push(bytes.subarray(at, at + chunkSize));
  const hasher = new LayerHasher(json, { maxExpansion: 100, expansionAllowance: 1 << 20, maxUncompressedBytes: 1 << 30, timeoutMs: 60_000 });
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      out.push(chunk);
      callback();
    },
  });
  await pipeline(Readable.from(chunks), hasher, sink);
  return { digests: hasher.digests(), passed: Buffer.concat(out) };
}

const json = Buffer.from('{"id":"x"}');

describe('LayerHasher', () => {
  const tar = tarOf({ 'a.txt': 'hello\n', 'b.bin': Buffer.alloc(100_000, 3) });
  const gz = gzipSync(tar);

  for (const chunkSize of [1, 2, 7, 4096, 1 << 20]) {
    it(`gzip in chunks of ${chunkSize}: digest of the bytes, payload checksum, diff id of the tar`, async () => {
      const { digests, passed } = await hash(json, gz, chunkSize);
      assert.deepEqual(passed, gz, 'passes every byte through unchanged');
      assert.deepEqual(digests, {
        digest: sha256(gz),
        size: gz.length,
        checksum: sha256(Buffer.concat([json, Buffer.from('\n'), gz])),
        diffId: sha256(tar),
        gzip: true,
      });
    });
  }

  it('a plain tar is its own diff id', async () => {
    const { digests } = await hash(json, tar, 1000);
    assert.equal(digests.gzip, false);
    assert.equal(digests.diffId, sha256(tar));
    assert.equal(digests.digest, sha256(tar));
  });

  it('empty and one-byte layers are plain', async () => {
    for (const bytes of [Buffer.alloc(0), Buffer.from([0x1f])]) {
      const { digests } = await hash(json, bytes, 1);
      assert.equal(digests.gzip, false);
      assert.equal(digests.diffId, sha256(bytes));
      assert.equal(digests.size, bytes.length);
    }
  });

  it('concatenated gzip members decompress as one stream', async () => {
    const both = Buffer.concat([gzipSync(tar.subarray(0, 512)), gzipSync(tar.subarray(512))]);
    assert.equal((await hash(json, both, 333)).digests.diffId, sha256(tar));
  });

  it('gzip magic followed by garbage, or cut short, is a LayerFormatError', async () => {
    for (const bytes of [Buffer.concat([gz.subarray(0, 10), Buffer.alloc(50, 0xee)]), gz.subarray(0, gz.length - 20)]) {
      await assert.rejects(hash(json, bytes, 16), LayerFormatError);
    }
  });
});
