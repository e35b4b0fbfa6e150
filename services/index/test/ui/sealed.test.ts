// Sealed one-shot notices: only the session's key opens them, and an altered one opens to nothing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { seal, sessionSealingKey, unseal } from '../../src/ui/sealed.js';

describe('sealed notices', () => {
  const key = sessionSealingKey('a'.repeat(43));
  it('opens with the key of the session that sealed it, to the same text', () => {
    const sealed = seal(key, 'wharf_pat_secret');
    assert.doesNotMatch(sealed, /secret/);
    assert.equal(unseal(key, sealed), 'wharf_pat_secret');
    assert.notEqual(seal(key, 'wharf_pat_secret'), sealed, 'a fresh nonce each time');
  });
  it("does not open with another session's key, altered, or truncated", () => {
    const sealed = seal(key, 'wharf_pat_secret');
    assert.equal(unseal(sessionSealingKey('b'.repeat(43)), sealed), undefined);
    const raw = Buffer.from(sealed, 'base64url');
    raw[raw.length - 1]! ^= 1;
    assert.equal(unseal(key, raw.toString('base64url')), undefined);
    assert.equal(unseal(key, sealed.slice(0, 20)), undefined);
  });
});
