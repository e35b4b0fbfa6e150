// Plain-text tables for the benchmark report.

export type Cell = string | number | undefined;

/** Left-aligns the first column, right-aligns the others. */
export function table(header: string[], rows: Cell[][]): string {
  const text = [header, ...rows.map((r) => r.map((c) => (c === undefined ? '—' : String(c))))];
  const widths = header.map((_, i) => Math.max(...text.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(text[0]!), rule, ...text.slice(1).map(line)].join('\n');
}

export function fixed(value: number | undefined, digits = 1): string | undefined {
  if (value === undefined || !Number.isFinite(value)) return undefined;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function ratio(a: number | undefined, b: number | undefined): string | undefined {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return undefined;
  return (a / b).toFixed(2);
}

export function mib(bytes: number | undefined): string | undefined {
  return bytes === undefined ? undefined : fixed(bytes / 1024 / 1024, 0);
}
