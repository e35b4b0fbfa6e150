// node's spec reporter, with truthful skip counts (see tally.mjs): a suite whose tests were all
// skipped is shown as skipped, and the closing summary's counts are the tally's. Also writes the
// tally as JSON to the file named by TEST_TALLY_FILE, for test/run.mjs to add up.
import { writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { spec } from 'node:test/reporters';
import { Tally } from './tally.mjs';

const summaryLine = /^(tests|pass|fail|cancelled|skipped|todo) \d+$/;
const summaryKey = { tests: 'tests', pass: 'passed', fail: 'failed', cancelled: 'cancelled', skipped: 'skipped', todo: 'todo' };

async function* truthful(source, tally) {
  for await (const event of source) {
    if (event.type === 'test:start') tally.start(event.data);
    if (event.type === 'test:pass' || event.type === 'test:fail') {
      const skip = tally.finish(event.type, event.data);
      if (skip !== event.data.skip) event.data.skip = skip;
    }
    if (event.type === 'test:diagnostic' && event.data.nesting === 0 && summaryLine.test(event.data.message)) {
      const name = event.data.message.split(' ')[0];
      event.data.message = `${name} ${tally.counts[summaryKey[name]]}`;
    }
    yield event;
  }
  if (process.env.TEST_TALLY_FILE) writeFileSync(process.env.TEST_TALLY_FILE, JSON.stringify({ ...tally.counts, skips: tally.skips }));
}

export default async function* reporter(source) {
  yield* Readable.from(truthful(source, new Tally())).pipe(new spec());
}
