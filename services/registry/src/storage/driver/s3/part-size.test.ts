import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GiB, MiB, TiB, capacity, copyRanges, maxObjectBytes, maxPartBytes, maxParts, minPartBytes, partSize, partsFor } from './part-size.js';

describe('S3 part sizes', () => {
  const chunkSizes = [5 * MiB, 8 * MiB, 10 * MiB, 64 * MiB, 1 * GiB, 5 * GiB];

  it('keep every part between 5 MiB and 5 GiB', () => {
    for (const chunk of chunkSizes) {
      for (let n = 1; n <= maxParts; n++) {
        const size = partSize(n, chunk);
        assert.ok(size >= minPartBytes && size <= maxPartBytes, `part ${n} of chunk ${chunk}: ${size}`);
      }
    }
  });

  it('hold 5 TiB in 10,000 parts for every allowed chunk size', () => {
    for (const chunk of chunkSizes) {
      assert.ok(capacity(maxParts, chunk) >= maxObjectBytes, `chunk ${chunk}: ${capacity(maxParts, chunk)} < 5 TiB`);
    }
  });

  it('never need more than 10,000 parts for any size up to 5 TiB', () => {
    for (const chunk of [5 * MiB, 10 * MiB]) {
      let last = 0;
      // Every 1 GiB step, then the very edge.
      for (let bytes = 0; bytes <= maxObjectBytes; bytes += GiB) {
        const parts = partsFor(bytes, chunk);
        assert.ok(parts >= last && parts <= maxParts);
        last = parts;
      }
      assert.ok(partsFor(5 * TiB, chunk) <= maxParts);
    }
  });

  it('keep the configured chunk for the first 900 parts, so small blobs use small parts', () => {
    assert.equal(partSize(1, 10 * MiB), 10 * MiB);
    assert.equal(partSize(900, 10 * MiB), 10 * MiB);
    assert.equal(partSize(901, 10 * MiB), 20 * MiB);
    // A 2 GiB blob: 205 parts of 10 MiB (Distribution's 10 MiB chunks would also be fine here,
    // but stop at ~97 GiB, and at 5 MiB chunks at ~48 GiB).
    assert.equal(partsFor(2 * GiB, 10 * MiB), 205);
    assert.ok(capacity(maxParts, 10 * MiB) > 10 * MiB * maxParts);
  });

  it('lift a chunk below 5 MiB to 5 MiB and reject part numbers outside 1..10,000', () => {
    assert.equal(partSize(1, 1024), minPartBytes);
    assert.throws(() => partSize(0, 10 * MiB), RangeError);
    assert.throws(() => partSize(maxParts + 1, 10 * MiB), RangeError);
    assert.throws(() => partsFor(maxObjectBytes * 4, 5 * MiB), RangeError);
  });

  it('split a server-side copy above 5 GiB into contiguous ranges within the limits, up to 5 TiB', () => {
    for (const size of [5 * GiB + 1, 7 * GiB + 123, 100 * GiB, maxObjectBytes]) {
      const ranges = copyRanges(size);
      assert.ok(ranges.length <= maxParts, `${size}: ${ranges.length} parts`);
      assert.equal(ranges[0]?.start, 0);
      assert.equal(ranges.at(-1)?.end, size - 1);
      for (const [i, r] of ranges.entries()) {
        const length = r.end - r.start + 1;
        assert.ok(length <= maxPartBytes && (length >= minPartBytes || i === ranges.length - 1));
        if (i > 0) assert.equal(r.start, ranges[i - 1]!.end + 1);
      }
    }
    assert.equal(copyRanges(maxObjectBytes).length, 5120);
  });
});
