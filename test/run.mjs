#!/usr/bin/env node
// Runs every compiled test file (*.test.js under each workspace's dist/) with node's test
// runner, which prints the summary. Files under test/e2e and test/interop use real clients and
// run one at a time after the rest; everything else runs in parallel.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const roots = ['shared/dist', 'services/common/dist', 'services/registry/dist', 'services/index/dist', 'services/cli/dist', 'test/dist'];

function find(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return find(path);
    return e.name.endsWith('.test.js') ? [path] : [];
  });
}

const filter = process.argv.slice(2);
const files = roots
  .flatMap((r) => find(join(root, r)))
  .map((f) => relative(root, f))
  .filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('no test files found: run `npm run build` first');
  process.exit(1);
}
const serial = (f) => f.startsWith('test/dist/e2e') || f.startsWith('test/dist/interop');
const groups = [
  { files: files.filter((f) => !serial(f)), concurrency: 4 },
  { files: files.filter(serial), concurrency: 1 },
];
let failed = false;
for (const group of groups) {
  if (group.files.length === 0) continue;
  const result = spawnSync(
    process.execPath,
    ['--test', `--test-concurrency=${group.concurrency}`, '--test-reporter=spec', ...group.files],
    { cwd: root, stdio: 'inherit' },
  );
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
