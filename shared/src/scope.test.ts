import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { accessAllows, formatScope, parseScope, type AccessRecord } from './scope.js';

describe('parseScope', () => {
  const cases: Array<[string, AccessRecord]> = [
    ['repository:samalba/my-app:pull', { type: 'repository', name: 'samalba/my-app', actions: ['pull'] }],
    ['repository:samalba/my-app:pull,push', { type: 'repository', name: 'samalba/my-app', actions: ['pull', 'push'] }],
    ['repository:app:delete', { type: 'repository', name: 'app', actions: ['delete'] }],
    ['repository:app:*', { type: 'repository', name: 'app', actions: ['*'] }],
    ['registry:catalog:*', { type: 'registry', name: 'catalog', actions: ['*'] }],
    [
      'repository(plugin):vieux/sshfs:pull',
      { type: 'repository', class: 'plugin', name: 'vieux/sshfs', actions: ['pull'] },
    ],
    [
      'repository:localhost:5000/team/app:pull,push',
      { type: 'repository', name: 'localhost:5000/team/app', actions: ['pull', 'push'] },
    ],
    [
      'repository(image):registry.example.com:443/a/b:pull',
      { type: 'repository', class: 'image', name: 'registry.example.com:443/a/b', actions: ['pull'] },
    ],
  ];

  for (const [scope, record] of cases) {
    it(`parses ${scope}`, () => {
      assert.deepEqual(parseScope(scope), record);
    });
    it(`round-trips ${scope}`, () => {
      assert.equal(formatScope(parseScope(scope)!), scope);
      assert.deepEqual(parseScope(formatScope(record)), record);
    });
  }

  it('has no class key when none was given', () => {
    assert.equal(Object.hasOwn(parseScope('repository:a:pull')!, 'class'), false);
  });

  it('removes duplicate actions, keeping the first order', () => {
    assert.deepEqual(parseScope('repository:a:push,pull,push,pull')?.actions, ['push', 'pull']);
    assert.equal(formatScope(parseScope('repository:a:push,pull,push')!), 'repository:a:push,pull');
  });

  const invalid = [
    '',
    'repository',
    'repository:app',
    'repository::pull',
    ':app:pull',
    'repository:app:',
    'repository:app:pull,',
    'repository:app:,pull',
    'repository:app:pull,,push',
    'repository:app:PULL',
    'Repository:app:pull',
    'repo-sitory:app:pull',
    'repository():app:pull',
    'repository(Plugin):app:pull',
    'repository(a)(b):app:pull',
    'repository:app:pull push',
    'repository:my app:pull',
    // Two scopes as a token request joins them: not one scope.
    'repository:a:pull repository:b:push',
    ' repository:app:pull',
    'repository:app:pull\n',
  ];
  for (const scope of invalid) {
    it(`rejects ${JSON.stringify(scope)}`, () => {
      assert.equal(parseScope(scope), undefined);
    });
  }
});

describe('formatScope', () => {
  it('writes type(class):name:actions', () => {
    assert.equal(
      formatScope({ type: 'repository', class: 'plugin', name: 'a/b', actions: ['pull', 'push'] }),
      'repository(plugin):a/b:pull,push',
    );
    assert.equal(formatScope({ type: 'registry', name: 'catalog', actions: ['*'] }), 'registry:catalog:*');
  });

  it('leaves out an empty class', () => {
    assert.equal(formatScope({ type: 'repository', class: '', name: 'a', actions: ['pull'] }), 'repository:a:pull');
  });
});

describe('accessAllows', () => {
  const granted: AccessRecord[] = [
    { type: 'repository', name: 'team/app', actions: ['pull', 'push'] },
    { type: 'repository', name: 'localhost:5000/x', actions: ['pull'] },
    { type: 'repository', name: 'admin/all', actions: ['*'] },
    { type: 'registry', name: 'catalog', actions: ['*'] },
  ];

  it('allows the granted actions on the granted name', () => {
    assert.equal(accessAllows(granted, 'repository', 'team/app', 'pull'), true);
    assert.equal(accessAllows(granted, 'repository', 'team/app', 'push'), true);
    assert.equal(accessAllows(granted, 'repository', 'localhost:5000/x', 'pull'), true);
  });

  it('refuses actions not granted', () => {
    assert.equal(accessAllows(granted, 'repository', 'team/app', 'delete'), false);
    assert.equal(accessAllows(granted, 'repository', 'localhost:5000/x', 'push'), false);
  });

  it('treats "*" as every action', () => {
    for (const action of ['pull', 'push', 'delete', '*']) {
      assert.equal(accessAllows(granted, 'repository', 'admin/all', action), true, action);
    }
    assert.equal(accessAllows(granted, 'registry', 'catalog', '*'), true);
  });

  it('matches names exactly: no prefixes, no patterns, no case folding', () => {
    assert.equal(accessAllows(granted, 'repository', 'team', 'pull'), false);
    assert.equal(accessAllows(granted, 'repository', 'team/app/sub', 'pull'), false);
    assert.equal(accessAllows(granted, 'repository', 'team/ap', 'pull'), false);
    assert.equal(accessAllows(granted, 'repository', 'Team/App', 'pull'), false);
    assert.equal(accessAllows(granted, 'repository', 'x', 'pull'), false);
  });

  it('matches the resource type', () => {
    assert.equal(accessAllows(granted, 'registry', 'team/app', 'pull'), false);
    assert.equal(accessAllows(granted, 'repository', 'catalog', 'pull'), false);
  });

  it('does not read a "*" request as a wildcard grant', () => {
    assert.equal(accessAllows(granted, 'repository', 'team/app', '*'), false);
  });

  it('allows nothing with no grants', () => {
    assert.equal(accessAllows([], 'repository', 'team/app', 'pull'), false);
  });

  it('works on parsed scopes', () => {
    const parsed = ['repository:localhost:5000/a:pull', 'registry:catalog:*'].map((s) => parseScope(s)!);
    assert.equal(accessAllows(parsed, 'repository', 'localhost:5000/a', 'pull'), true);
    assert.equal(accessAllows(parsed, 'repository', 'localhost:5000/a', 'push'), false);
    assert.equal(accessAllows(parsed, 'registry', 'catalog', '*'), true);
  });
});
