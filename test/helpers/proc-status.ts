// A process's memory from /proc/<pid>/status (Linux), for the soak test and the bench.
import { readFileSync } from 'node:fs';

/** VmRSS and VmHWM (the kernel's RSS high-water mark) in bytes, or undefined once the process is gone. */
export function processMemory(pid: number): { rss: number; hwm: number } | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}
