import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Digester, DigestError, digestOf, isDigest, isSupportedAlgorithm, parseDigest } from './digest.js';

const hex64 = 'a'.repeat(64);
const hex128 = '0123456789abcdef'.repeat(8);
// sha256 and sha512 of the empty string, well known values.
const emptySha256 = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const emptySha512 =
  'sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e';

/** Asserts that parseDigest throws a DigestError with the given `unsupported` flag. */
function assertRejected(value: string, unsupported: boolean): void {
  assert.throws(
    () => parseDigest(value),
    (err: unknown) => {
      assert.ok(err instanceof DigestError, `expected a DigestError for ${JSON.stringify(value)}`);
      assert.equal(err.unsupported, unsupported, `unsupported flag for ${JSON.stringify(value)}`);
      return true;
    },
  );
  assert.equal(isDigest(value), false, `isDigest(${JSON.stringify(value)})`);
}

describe('parseDigest', () => {
  it('accepts a sha256 digest and splits it', () => {
    assert.deepEqual(parseDigest(`sha256:${hex64}`), { algorithm: 'sha256', encoded: hex64, digest: `sha256:${hex64}` });
    assert.equal(isDigest(emptySha256), true);
  });

  it('accepts a sha512 digest and splits it', () => {
    assert.deepEqual(parseDigest(`sha512:${hex128}`), {
      algorithm: 'sha512',
      encoded: hex128,
      digest: `sha512:${hex128}`,
    });
    assert.equal(isDigest(emptySha512), true);
  });

  it('rejects uppercase hex (the registered algorithms are lowercase only)', () => {
    assertRejected(`sha256:${'A'.repeat(64)}`, false);
    assertRejected(`sha256:${'a'.repeat(63)}F`, false);
    assertRejected(`sha512:${hex128.toUpperCase()}`, false);
  });

  it('rejects an uppercase algorithm name', () => {
    assertRejected(`SHA256:${hex64}`, false);
  });

  it('rejects an encoded part of the wrong length', () => {
    assertRejected(`sha256:${'a'.repeat(63)}`, false);
    assertRejected(`sha256:${'a'.repeat(65)}`, false);
    assertRejected(`sha256:${hex128}`, false);
    assertRejected(`sha512:${hex64}`, false);
    assertRejected(`sha512:${hex128}0`, false);
  });

  it('rejects non-hex characters that the general grammar allows', () => {
    assertRejected(`sha256:${'g'.repeat(64)}`, false);
    assertRejected(`sha256:${'a'.repeat(62)}==`, false);
  });

  it('flags a well-formed digest of an unknown algorithm as unsupported', () => {
    assertRejected(`sha384:${'a'.repeat(96)}`, true);
    assertRejected('md5:d41d8cd98f00b204e9800998ecf8427e', true);
    assertRejected(`sha256+b64u:${'A'.repeat(43)}`, true);
    assertRejected('multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8', true);
    const err = (() => {
      try {
        parseDigest(`blake3:${hex64}`);
      } catch (e) {
        return e as DigestError;
      }
      return undefined;
    })();
    assert.ok(err);
    assert.match(err.message, /unsupported digest algorithm "blake3"/);
  });

  it('rejects garbage as invalid, not unsupported', () => {
    for (const value of [
      '',
      'sha256',
      'sha256:',
      ':abc',
      `:${hex64}`,
      hex64,
      `sha256:${hex64} `,
      ` sha256:${hex64}`,
      `sha256::${hex64}`,
      `sha256:${hex64}\n`,
      `sha-:${hex64}`,
      `sha__256:${hex64}`,
      `sha256:${hex64.slice(0, 32)}/${hex64.slice(33)}`,
      'not a digest',
    ]) {
      assertRejected(value, false);
    }
  });

  it('names the offending value in its message', () => {
    assert.throws(() => parseDigest('sha256:xyz'), { message: /invalid sha256 digest "sha256:xyz"/ });
    assert.throws(() => parseDigest('nope'), { message: /invalid digest "nope"/ });
  });
});

describe('isSupportedAlgorithm', () => {
  it('knows sha256 and sha512 only', () => {
    assert.equal(isSupportedAlgorithm('sha256'), true);
    assert.equal(isSupportedAlgorithm('sha512'), true);
    assert.equal(isSupportedAlgorithm('sha384'), false);
    assert.equal(isSupportedAlgorithm('SHA256'), false);
    assert.equal(isSupportedAlgorithm(''), false);
  });
});

describe('digestOf', () => {
  it('hashes the empty input to the well-known values', () => {
    assert.equal(digestOf(''), emptySha256);
    assert.equal(digestOf(new Uint8Array(0)), emptySha256);
    assert.equal(digestOf('', 'sha512'), emptySha512);
  });

  it('defaults to sha256 and treats strings as UTF-8', () => {
    const text = 'héllo wharf';
    const expected = `sha256:${createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex')}`;
    assert.equal(digestOf(text), expected);
    assert.equal(digestOf(Buffer.from(text, 'utf8')), expected);
  });

  it('produces digests that parseDigest accepts', () => {
    const data = randomBytes(1000);
    assert.equal(parseDigest(digestOf(data)).algorithm, 'sha256');
    assert.equal(parseDigest(digestOf(data, 'sha512')).algorithm, 'sha512');
    assert.notEqual(digestOf(data), digestOf(Buffer.concat([data, Buffer.from([0])])));
  });
});

describe('Digester', () => {
  for (const algorithm of ['sha256', 'sha512'] as const) {
    it(`streaming ${algorithm} equals the one-shot digest for any chunking`, () => {
      const data = randomBytes(100_003);
      const oneShot = digestOf(data, algorithm);
      for (const chunkSize of [1, 7, 4096, 65_536, data.length]) {
        const digester = new Digester(algorithm);
        for (let offset = 0; offset < data.length; offset += chunkSize) {
          digester.update(data.subarray(offset, offset + chunkSize));
        }
        assert.equal(digester.digest(), oneShot, `chunk size ${chunkSize}`);
      }
    });
  }

  it('defaults to sha256, and with no input yields the empty digest', () => {
    const digester = new Digester();
    assert.equal(digester.algorithm, 'sha256');
    assert.equal(digester.digest(), emptySha256);
  });

  it('ignores empty chunks', () => {
    const digester = new Digester();
    digester.update(new Uint8Array(0));
    digester.update(Buffer.from('abc'));
    digester.update(new Uint8Array(0));
    assert.equal(digester.digest(), digestOf('abc'));
  });
});
