// Issue #12, item 7, on the registry's side: a private repository (or image) the caller may not
// read answers exactly as a missing one — status, body and challenge — without a token and with
// a token for another repository. (The index's side: services/index/test/v1/existence-oracle.)
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request, { type Response } from 'supertest';
import type { Express } from 'express';
import { startFakeIndex, type FakeIndex } from './fake-index.js';
import { makeChain, newImageId } from './fixtures.js';
import { authed, buildV1Registry, pushAndTag } from './harness.js';

let index: FakeIndex;
let app: Express;
let secretImage: string;

before(async () => {
  index = await startFakeIndex();
  ({ app } = await buildV1Registry({ index: index.url }));
  const chain = makeChain(1);
  secretImage = chain[0]!.id;
  await pushAndTag(app, 'alice/secret', 'latest', chain, index.issue('alice/secret', 'write'));
});

after(async () => {
  await index.close();
});

function seen(res: Response): unknown {
  return { status: res.status, body: res.text, challenge: res.headers['www-authenticate'] };
}

describe('v1 registry: a private repository or image answers as a missing one', () => {
  it('to callers without a token and with a token for another repository', async () => {
    const callers: Record<string, string | undefined> = { anonymous: undefined, "bob's token": index.issue('bob/app', 'read') };
    for (const [who, token] of Object.entries(callers)) {
      for (const [hidden, missing] of [
        ['/v1/repositories/alice/secret/tags', '/v1/repositories/alice/nothing/tags'],
        ['/v1/repositories/alice/secret/tags/latest', '/v1/repositories/alice/nothing/tags/latest'],
        [`/v1/images/${secretImage}/json`, `/v1/images/${newImageId()}/json`],
        [`/v1/images/${secretImage}/layer`, `/v1/images/${newImageId()}/layer`],
        [`/v1/images/${secretImage}/ancestry`, `/v1/images/${newImageId()}/ancestry`],
      ] as const) {
        const a = seen(await authed(request(app).get(hidden), token));
        const b = seen(await authed(request(app).get(missing), token));
        assert.deepEqual(a, b, `${hidden} by ${who}`);
        assert.ok((a as { status: number }).status >= 400, `${hidden} by ${who}`);
      }
    }
  });
});
