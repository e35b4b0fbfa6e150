// `wharf gc` as an operator runs it: a child process of the built main.js over a filesystem store.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createFilesystemDriver, createRegistryStorage } from '@wharf/registry';
import { formatBytes } from './gc.js';

// This file runs as services/cli/dist/src/commands/gc.test.js.
const mainJs = fileURLToPath(new URL('../main.js', import.meta.url));

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function wharf(args: string[], root: string): Promise<Result> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('WHARF_')) env[k] = v;
  env.WHARF_REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY = root;
  return new Promise((resolve) => {
    execFile(process.execPath, [mainJs, ...args], { env, timeout: 30_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

/** Makes every file of the store an hour old, past the shortest grace a run uses. */
async function ageStore(dir: string): Promise<void> {
  const then = new Date(Date.now() - 3_600_000);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await ageStore(join(dir, entry.name));
    await utimes(join(dir, entry.name), then, then);
  }
}

describe('wharf gc', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'wharf-cli-gc-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('refuses a bad --grace with a usage error', async () => {
    const result = await wharf(['gc', '--grace', 'soon'], root);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /wharf gc: --grace: invalid duration "soon"/);
  });

  it('lists in a dry run, then frees, an unreferenced blob; progress on stderr', async () => {
    const storage = createRegistryStorage(createFilesystemDriver({ rootDirectory: root }));
    const content = randomBytes(2048);
    const digest = `sha256:${createHash('sha256').update(content).digest('hex')}`;
    const upload = await storage.uploads.start('cli/app');
    await storage.uploads.commit('cli/app', upload.uuid, digest, Readable.from([content]));

    const kept = await wharf(['gc'], root);
    assert.equal(kept.code, 0, kept.stderr);
    assert.match(kept.stdout, /gc: freed 0 bytes .*: 0 blobs .* kept 1 in use/, 'its fresh layer link keeps it for the default 1h grace');
    assert.match(kept.stderr, /^gc: marking: /m);

    await ageStore(root);
    const dry = await wharf(['gc', '--dry-run', '--grace', '0s'], root);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`^would remove blob ${digest} 2048$`, 'm'));
    assert.match(dry.stdout, /gc: would free 2048 bytes \(2\.0 KiB\): 1 blob \(0 manifests, 1 layer or config\); would unlink 0 orphaned referrers and 1 layer link;/);
    assert.ok(await storage.blobs.statContent(digest));

    const real = await wharf(['gc', '--grace', '0s'], root);
    assert.equal(real.code, 0, real.stderr);
    assert.match(real.stdout, new RegExp(`^removed blob ${digest} 2048$`, 'm'));
    assert.match(real.stdout, /gc: freed 2048 bytes \(2\.0 KiB\): 1 blob .*and 1 layer link;/);
    assert.equal(await storage.blobs.statContent(digest), undefined);
  });

  it('formats sizes for people', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(1023), '1023 B');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(5 * 1024 ** 3), '5.0 GiB');
  });
});
