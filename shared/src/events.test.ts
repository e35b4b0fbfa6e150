// parseEnvelope: Distribution's envelopes as notifications.md shows them, normalized; anything
// malformed is refused with the path of the problem.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EnvelopeError, parseEnvelope } from './events.js';

const digest = 'sha256:fea8895f450959fa676bcc1df0611ea93823a735a01205fd8622846041d0c7cf';

/** The pull example of notifications.md, "Events". */
const pullExample = {
  id: '320678d8-ca14-430f-8bb6-4ca139cd83f7',
  timestamp: '2016-03-09T14:44:26.402973972-08:00',
  action: 'pull',
  target: {
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    digest,
    size: 708,
    length: 708,
    repository: 'hello-world',
    url: `http://192.168.100.227:5000/v2/hello-world/manifests/${digest}`,
    tag: 'latest',
  },
  request: { id: '6df24a34-0959-4923-81ca-14f09767db19', addr: '192.168.64.11:42961', host: '192.168.100.227:5000', method: 'GET', useragent: 'curl/7.38.0' },
  actor: {},
  source: { addr: 'xtal.local:5000', instanceID: 'a53db899-3b4b-4a62-a067-8dd013beaca4' },
};

describe('parseEnvelope', () => {
  it('accepts the spec\'s example as it is', () => {
    assert.deepEqual(parseEnvelope({ events: [pullExample] }), { events: [pullExample] });
  });

  it('accepts a delete with only repository and digest, filling absent request and source fields', () => {
    const { events } = parseEnvelope({ events: [{ id: 'x', timestamp: '2006-01-02T15:04:05Z', action: 'delete', target: { digest, repository: 'library/test' } }] });
    assert.deepEqual(events[0], {
      id: 'x',
      timestamp: '2006-01-02T15:04:05Z',
      action: 'delete',
      target: { repository: 'library/test', digest },
      request: { id: '', addr: '', host: '', method: '', useragent: '' },
      actor: {},
      source: { addr: '', instanceID: '' },
    });
  });

  it('takes references as descriptors or bare digests', () => {
    const target = { ...pullExample.target, references: [{ mediaType: 'a/b', digest, size: 3 }, digest] };
    const { events } = parseEnvelope({ events: [{ ...pullExample, action: 'push', actor: { name: 'alice' }, target }] });
    assert.deepEqual(events[0]!.target.references, [{ mediaType: 'a/b', digest, size: 3 }, { digest }]);
    assert.deepEqual(events[0]!.actor, { name: 'alice' });
  });

  it('keeps a child manifest\'s platform (architecture, os, variant) and drops its other fields', () => {
    const platform = { architecture: 'arm64', os: 'linux', variant: 'v8', features: ['x'] };
    const target = { ...pullExample.target, references: [{ digest, platform }, { digest, platform: { architecture: 'amd64', os: 'linux' } }] };
    const { events } = parseEnvelope({ events: [{ ...pullExample, action: 'push', target }] });
    assert.deepEqual(events[0]!.target.references, [
      { digest, platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } },
      { digest, platform: { architecture: 'amd64', os: 'linux' } },
    ]);
  });

  it('reads {} (omitempty) as an empty envelope', () => {
    assert.deepEqual(parseEnvelope({}), { events: [] });
  });

  it('refuses malformed envelopes, naming where', () => {
    const bad: [unknown, RegExp][] = [
      [null, /^envelope: must be an object/],
      [[], /^envelope: must be an object/],
      [{ events: 'x' }, /^envelope\.events: must be an array/],
      [{ events: [42] }, /^events\[0\]: must be an object/],
      [{ events: [{ ...pullExample, id: '' }] }, /^events\[0\]\.id: is required/],
      [{ events: [{ ...pullExample, timestamp: 'yesterday' }] }, /^events\[0\]\.timestamp/],
      [{ events: [{ ...pullExample, action: 'explode' }] }, /^events\[0\]\.action/],
      [{ events: [{ ...pullExample, target: undefined }] }, /^events\[0\]\.target: must be an object/],
      [{ events: [{ ...pullExample, target: { ...pullExample.target, repository: 'Bad Name' } }] }, /target\.repository/],
      [{ events: [{ ...pullExample, target: { ...pullExample.target, digest: 'sha256:short' } }] }, /target\.digest: invalid digest/],
      [{ events: [{ ...pullExample, target: { ...pullExample.target, size: -1 } }] }, /target\.size/],
      [{ events: [{ ...pullExample, target: { ...pullExample.target, references: [{ size: 1 }] } }] }, /references\[0\]\.digest: is required/],
      [{ events: [{ ...pullExample, actor: { name: 7 } }] }, /actor\.name: must be a string/],
      [{ events: [{ ...pullExample, target: { ...pullExample.target, references: [{ digest, platform: { os: 'linux' } }] } }] }, /references\[0\]\.platform: needs architecture and os/],
      [{ events: [{ ...pullExample, request: 'x' }] }, /request: must be an object/],
    ];
    for (const [json, message] of bad) assert.throws(() => parseEnvelope(json), (err: unknown) => err instanceof EnvelopeError && message.test(err.message), JSON.stringify(json));
  });
});
