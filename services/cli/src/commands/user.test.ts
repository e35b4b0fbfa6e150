// `wharf user add` and `wharf user passwd` as an operator runs them: child processes of the
// built main.js over an index database in a temp directory, the password on standard input.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { authenticate, openIndexStore } from '@wharf/index';

// This file runs as services/cli/dist/src/commands/user.test.js.
const mainJs = fileURLToPath(new URL('../main.js', import.meta.url));

function wharf(args: string[], database: string, input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('WHARF_')) env[k] = v;
  env.WHARF_INDEX_DATABASE_PATH = database;
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [mainJs, ...args], { env, timeout: 30_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
    child.stdin?.end(input);
  });
}

describe('wharf user', () => {
  let dir: string;
  let database: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wharf-user-cli-'));
    database = join(dir, 'index.db');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const stored = () => {
    const store = openIndexStore(database);
    try {
      const user = store.users.byName('alice')!;
      const refresh = store.db.prepare('SELECT revoked_at FROM refresh_tokens WHERE user_id = ?').all(user.id) as { revoked_at: string | null }[];
      const audit = store.audit.query({ target: 'alice', action: 'user.password' });
      return { user, refresh, audit };
    } finally {
      store.close();
    }
  };

  it('passwd sets a new password, revokes refresh tokens and records it in the audit log', async () => {
    const added = await wharf(['user', 'add', 'alice'], database, 'first-password-1\n');
    assert.equal(added.code, 0, added.stderr);
    {
      // A login from before the change: a refresh token that must stop working.
      const store = openIndexStore(database);
      const user = store.users.byName('alice')!;
      store.tokens.insertRefreshToken(user.id, 'a-hash', 'docker', null, new Date(Date.now() + 86_400_000).toISOString());
      store.close();
    }
    const changed = await wharf(['user', 'passwd', 'alice'], database, 'second-password-2\n');
    assert.equal(changed.code, 0, changed.stderr);
    assert.match(changed.stdout, /password of alice set/);
    const { refresh, audit } = stored();
    const store = openIndexStore(database);
    try {
      assert.ok(await authenticate(store, 'alice', 'second-password-2'), 'the new password logs in');
      assert.equal(await authenticate(store, 'alice', 'first-password-1'), undefined, 'the old one does not');
    } finally {
      store.close();
    }
    assert.ok(refresh.length === 1 && refresh[0]!.revoked_at !== null, 'the refresh token is revoked');
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.detail.via, 'cli');
  });

  it('refuses an unknown account, a weak password and options that do not apply, changing nothing', async () => {
    const before = stored().user.passwordHash;
    const unknown = await wharf(['user', 'passwd', 'nobody'], database, 'some-password-3\n');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no account named nobody/);
    const weak = await wharf(['user', 'passwd', 'alice'], database, 'short\n');
    assert.equal(weak.code, 1);
    assert.match(weak.stderr, /password/);
    const flags = await wharf(['user', 'passwd', 'alice', '--admin'], database, 'another-password-4\n');
    assert.equal(flags.code, 2);
    assert.match(flags.stderr, /takes no --admin/);
    const usage = await wharf(['user', 'rename', 'alice'], database, '');
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /wharf user passwd NAME/);
    assert.equal(stored().user.passwordHash, before);
  });
});
