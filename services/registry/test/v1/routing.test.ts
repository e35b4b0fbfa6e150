// v1 route matching and names: one- and two-segment names, and which route a path means.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { matchV1Routes } from '../../src/v1/http/route-table.js';
import { parseV1Name } from '../../src/v1/names.js';
import { AnswerCache } from '../../src/v1/auth/answer-cache.js';

function first(path: string): unknown {
  const [route] = matchV1Routes(path);
  return route;
}

describe('v1 routes', () => {
  it('match images, tags and repositories, with one- or two-segment names', () => {
    const id = 'a'.repeat(64);
    assert.deepEqual(first(`/v1/images/${id}/layer`), { id: 'image-layer', image: id });
    assert.deepEqual(first('/v1/repositories/foo/bar/tags'), { id: 'tags', name: 'foo/bar' });
    assert.deepEqual(first('/v1/repositories/foo/tags'), { id: 'tags', name: 'foo' });
    assert.deepEqual(first('/v1/repositories/foo/bar/tags/latest'), { id: 'tag', name: 'foo/bar', tag: 'latest' });
    assert.deepEqual(first('/v1/repositories/foo/tags/latest'), { id: 'tag', name: 'foo', tag: 'latest' });
    assert.deepEqual(first('/v1/repositories/foo/bar/'), { id: 'repository', name: 'foo/bar' });
    assert.deepEqual(first('/_ping'), { id: 'ping' });
    assert.equal(first('/v1/repositories/a/b/c/tags'), undefined);
  });

  it('offers the later reading of an ambiguous path too (DELETE foo/tags/ is a repository)', () => {
    assert.deepEqual(
      matchV1Routes('/v1/repositories/foo/tags/').map((r) => [r.id, r.name]),
      [
        ['tags', 'foo'],
        ['repository', 'foo/tags'],
      ],
    );
  });

  it('names: library/ for one segment, the shared grammar, exactly two segments', () => {
    assert.equal(parseV1Name('busybox'), 'library/busybox');
    assert.equal(parseV1Name('team/app'), 'team/app');
    for (const bad of ['Team/app', 'a/b/c', '../x', 'a%2Fb', '', 'team/']) assert.equal(parseV1Name(bad), undefined, bad);
  });
});

describe('AnswerCache', () => {
  it('keeps yes for the TTL, never no, and shares a question in flight', async () => {
    let now = 0;
    const cache = new AnswerCache({ ttlMs: 100, now: () => now });
    let asked = 0;
    const yes = async () => {
      asked++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return true;
    };
    assert.deepEqual(await Promise.all([cache.get('k', yes), cache.get('k', yes)]), [true, true]);
    assert.equal(asked, 1);
    now = 99;
    assert.equal(await cache.get('k', yes), true);
    assert.equal(asked, 1);
    now = 100;
    assert.equal(await cache.get('k', yes), true);
    assert.equal(asked, 2);
    let noes = 0;
    const no = async () => (noes++, false);
    await cache.get('n', no);
    await cache.get('n', no);
    assert.equal(noes, 2);
  });
});
