import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isRepositoryName, isTag, maxNameLength, normalizeV1Name, parseImageReference } from './reference.js';

const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;

/** The spec's grammar, verbatim, as an independent oracle for the generated cases. */
const specGrammar = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;

describe('isRepositoryName', () => {
  const valid = [
    'a',
    '0',
    'library/ubuntu',
    'samalba/my-app',
    'a/b/c/d/e/f',
    'a.b',
    'a_b',
    'a__b',
    'a-b',
    'a--b',
    'a---------b',
    'a.b_c__d-e--f',
    'foo.bar/baz_qux/x-y',
    '9/8/7',
    'v1.0/app',
    'localhost/app', // a component that looks like a host is still just a component
  ];
  const invalid = [
    '',
    'a___b',
    'a_.b',
    'a._b',
    'a..b',
    'a.-b',
    'a-.b',
    'a-_b',
    '-a',
    'a-',
    '_a',
    'a_',
    '.a',
    'a.',
    '__a',
    'a__',
    'a//b',
    '/a',
    'a/',
    '/',
    '..',
    '.',
    'a/../b',
    'a/./b',
    'A',
    'Library/ubuntu',
    'library/Ubuntu',
    'a b',
    'a:b',
    'a@b',
    'host:5000/app',
    'a\nb',
    'a/b\n',
    'ünïcode',
    'a\\b',
  ];

  for (const name of valid) {
    it(`accepts ${JSON.stringify(name)}`, () => {
      assert.equal(isRepositoryName(name), true);
      assert.equal(specGrammar.test(name), true, 'oracle disagrees: the test case is wrong');
    });
  }
  for (const name of invalid) {
    it(`rejects ${JSON.stringify(name)}`, () => {
      assert.equal(isRepositoryName(name), false);
    });
  }

  it('agrees with the spec grammar on every short string over a small alphabet', () => {
    // Exhaustive up to length 5 over the characters that matter to the grammar.
    const alphabet = ['a', '0', '.', '_', '-', '/', 'A'];
    let strings = [''];
    let checked = 0;
    for (let length = 1; length <= 5; length++) {
      strings = strings.flatMap((s) => alphabet.map((c) => s + c));
      for (const s of strings) {
        assert.equal(isRepositoryName(s), specGrammar.test(s), JSON.stringify(s));
        checked++;
      }
    }
    assert.equal(checked, 7 + 49 + 343 + 2401 + 16807);
  });

  it(`accepts ${maxNameLength} characters and rejects ${maxNameLength + 1}`, () => {
    assert.equal(maxNameLength, 255);
    const atLimit = 'a'.repeat(255);
    assert.equal(isRepositoryName(atLimit), true);
    assert.equal(isRepositoryName('a'.repeat(256)), false);
    // The limit is on the whole name, components and separators included.
    const withPath = `${'b'.repeat(100)}/${'c'.repeat(100)}/${'d'.repeat(53)}`;
    assert.equal(withPath.length, 255);
    assert.equal(isRepositoryName(withPath), true);
    assert.equal(isRepositoryName(`${withPath}e`), false);
  });
});

describe('isTag', () => {
  const valid = ['latest', 'v1', '1.0.0', 'v1.2.3-rc.1', '_', '_private', 'A', 'UPPER_case', '0', 'a-', 'a.', 'a..b', 'x'.repeat(128)];
  const invalid = ['', '.hidden', '-dash', 'x'.repeat(129), 'a/b', 'a:b', 'a@b', 'a b', 'a+b', 'tag\n', 'ü'];

  for (const tag of valid) {
    it(`accepts ${JSON.stringify(tag.length > 20 ? `${tag.slice(0, 8)}…(${tag.length})` : tag)}`, () => {
      assert.equal(isTag(tag), true);
    });
  }
  for (const tag of invalid) {
    it(`rejects ${JSON.stringify(tag.length > 20 ? `${tag.slice(0, 8)}…(${tag.length})` : tag)}`, () => {
      assert.equal(isTag(tag), false);
    });
  }
});

describe('parseImageReference', () => {
  it('parses a bare name', () => {
    assert.deepEqual(parseImageReference('library/ubuntu'), { name: 'library/ubuntu' });
  });

  it('parses name:tag', () => {
    assert.deepEqual(parseImageReference('library/ubuntu:22.04'), { name: 'library/ubuntu', tag: '22.04' });
  });

  it('parses name@digest', () => {
    assert.deepEqual(parseImageReference(`demo/app@${digest}`), { name: 'demo/app', digest });
  });

  it('parses name:tag@digest', () => {
    assert.deepEqual(parseImageReference(`demo/app:v1@${digest}`), { name: 'demo/app', tag: 'v1', digest });
  });

  it('does not report absent parts as keys', () => {
    const ref = parseImageReference('app');
    assert.ok(ref);
    assert.equal(Object.hasOwn(ref, 'tag'), false);
    assert.equal(Object.hasOwn(ref, 'digest'), false);
  });

  it('rejects an invalid name', () => {
    assert.equal(parseImageReference('Demo/App:v1'), undefined);
    assert.equal(parseImageReference('a//b'), undefined);
    assert.equal(parseImageReference(''), undefined);
  });

  it('rejects an invalid or empty tag', () => {
    assert.equal(parseImageReference('demo/app:'), undefined);
    assert.equal(parseImageReference('demo/app:.v1'), undefined);
    assert.equal(parseImageReference(`demo/app:${'t'.repeat(129)}`), undefined);
  });

  it('rejects an invalid or empty digest', () => {
    assert.equal(parseImageReference('demo/app@'), undefined);
    assert.equal(parseImageReference('demo/app@latest'), undefined);
    assert.equal(parseImageReference('demo/app@sha256:abc'), undefined);
    assert.equal(parseImageReference(`demo/app@${digest.toUpperCase()}`), undefined);
    assert.equal(parseImageReference(`demo/app:v1@${digest}@${digest}`), undefined);
  });

  it('does not accept a registry host with a port (names carry no host part)', () => {
    // The ':' before the last '/' is not a tag separator, so the whole thing must be a name.
    assert.equal(parseImageReference('localhost:5000/app'), undefined);
    assert.equal(parseImageReference('localhost:5000/app:v1'), undefined);
  });

  it('takes the last ":" after the last "/" as the tag separator', () => {
    assert.equal(parseImageReference('demo/app:v1:v2'), undefined);
  });
});

describe('normalizeV1Name', () => {
  it('puts a bare name in the library namespace', () => {
    assert.equal(normalizeV1Name('ubuntu'), 'library/ubuntu');
    assert.equal(normalizeV1Name('busy-box'), 'library/busy-box');
  });

  it('leaves a namespaced name alone', () => {
    assert.equal(normalizeV1Name('library/ubuntu'), 'library/ubuntu');
    assert.equal(normalizeV1Name('samalba/my-app'), 'samalba/my-app');
    assert.equal(normalizeV1Name('a/b/c'), 'a/b/c');
  });

  it('yields a valid repository name for a valid bare name', () => {
    assert.equal(isRepositoryName(normalizeV1Name('ubuntu')), true);
  });
});
