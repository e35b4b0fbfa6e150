#!/usr/bin/env node
// Runs every compiled test file (*.test.js under each workspace's dist/) with node's test
// runner, which prints the summary. Files under test/e2e and test/interop use real clients and
// run one at a time after the rest; everything else runs in parallel. The reporter is node's spec
// reporter with truthful skip counts (test/reporters/); the last line adds up both groups.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
const reporter = join(root, 'test/reporters/spec.mjs');
const tallies = mkdtempSync(join(tmpdir(), 'wharf-test-tally-'));
const total = { passed: 0, failed: 0, skipped: 0 };
const skips = [];
let failed = false;
for (const [i, group] of groups.entries()) {
  if (group.files.length === 0) continue;
  const tallyFile = join(tallies, `${i}.json`);
  const result = spawnSync(
    process.execPath,
    ['--test', `--test-concurrency=${group.concurrency}`, `--test-reporter=${reporter}`, '--test-reporter-destination=stdout', ...group.files],
    { cwd: root, stdio: 'inherit', env: { ...process.env, TEST_TALLY_FILE: tallyFile } },
  );
  if (result.status !== 0) failed = true;
  try {
    const tally = JSON.parse(readFileSync(tallyFile, 'utf8'));
    total.passed += tally.passed;
    total.failed += tally.failed + tally.cancelled;
    total.skipped += tally.skipped;
    skips.push(...tally.skips);
  } catch {
    console.error(`the test reporter wrote no tally for ${group.files.length} files`);
    failed = true;
  }
}
rmSync(tallies, { recursive: true, force: true });
if (skips.length > 0) {
  // One line per reason: what to install to run them.
  const byReason = new Map();
  for (const skip of skips) {
    const reason = skip.slice(skip.lastIndexOf(' # ') + 3);
    byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
  }
  console.log(`\nskipped, by reason:`);
  for (const [reason, count] of byReason) console.log(`  ${count} × ${reason}`);
}
console.log(`total: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(failed ? 1 : 0);
