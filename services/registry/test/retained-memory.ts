// What a test's workload leaves behind: heap and buffer bytes still referenced after a full
// collection. The test runner does not pass --expose-gc, so the flag is set at run time.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export const MiB = 1024 * 1024;

export function retainedBytes(): number {
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}
