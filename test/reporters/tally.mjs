// Counts the results of a node:test run truthfully. Node's own summary leaves out a suite that was
// skipped as a whole (`describe(name, { skip })`: its tests never run, so nothing is counted) and a
// suite that failed by itself (a throw while declaring its tests, a failing hook), and shows a suite
// whose tests were all skipped as passed. Here a skipped suite counts as one skipped test, a suite's
// own failure as one failed test, and a suite whose tests were all skipped is reported as skipped.

/** How a finished test or suite counts. */
function outcome(type, data) {
  if (data.skip !== undefined) return 'skipped';
  if (data.todo !== undefined) return 'todo';
  if (type === 'test:pass') return 'passed';
  return data.details?.error?.failureType === 'cancelledByParent' ? 'cancelled' : 'failed';
}

export class Tally {
  counts = { tests: 0, passed: 0, failed: 0, cancelled: 0, skipped: 0, todo: 0 };
  /** Skipped tests and suites with their reasons, "file › suite › test # reason". */
  skips = [];
  /** Per file and nesting level: how many tests finished under the suite now open there, and how many skipped. */
  #levels = new Map();
  /** Names of the tests and suites open per file and nesting level, for the skip list. */
  #names = new Map();

  #level(file, nesting) {
    const key = `${file}\0${nesting}`;
    let level = this.#levels.get(key);
    if (!level) this.#levels.set(key, (level = { tests: 0, skipped: 0 }));
    return level;
  }

  #count(result) {
    this.counts.tests++;
    this.counts[result]++;
  }

  /** Records a test:start event (for the names of the skip list). */
  start(data) {
    this.#names.set(`${data.file}\0${data.nesting}`, data.name);
  }

  /**
   * Records a test:pass or test:fail event. Returns the skip reason to show for it: its own, or
   * for a suite whose tests were all skipped, a reason saying so (undefined when it ran).
   */
  finish(type, data) {
    const file = data.file ?? '';
    const below = this.#levels.get(`${file}\0${data.nesting + 1}`) ?? { tests: 0, skipped: 0 };
    this.#levels.delete(`${file}\0${data.nesting + 1}`);
    const result = outcome(type, data);
    let tests = below.tests;
    let skipped = below.skipped;
    let skip = data.skip;
    if (data.details?.type !== 'suite') {
      this.#count(result);
      tests += 1;
      if (result === 'skipped') skipped += 1;
    } else if (result === 'skipped') {
      this.#count('skipped'); // its tests never ran: one skipped entry stands for them
      tests = skipped = 1;
    } else if (result === 'failed' && data.details?.error?.failureType !== 'subtestsFailed') {
      this.#count('failed'); // it failed by itself, not through one of its tests
    } else if (tests > 0 && skipped === tests) {
      skip = `all ${tests} tests skipped`;
    }
    if (result === 'skipped') this.skips.push(`${this.#path(file, data.nesting)} # ${data.skip === true ? 'SKIP' : data.skip}`);
    const level = this.#level(file, data.nesting);
    level.tests += tests;
    level.skipped += skipped;
    return skip;
  }

  #path(file, nesting) {
    const names = [];
    for (let n = 0; n <= nesting; n++) names.push(this.#names.get(`${file}\0${n}`) ?? '?');
    const shortFile = file.replace(/^.*?\/(?=(?:test|shared|services)\/)/, '');
    return [shortFile, ...names].join(' › ');
  }
}
