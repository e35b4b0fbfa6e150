// Durations as configs write them: a whole number and a unit (ms, s, m, h, d).

export const durationGrammar = /^(\d+)(ms|s|m|h|d)$/;
export const durationHint = 'a duration such as 500ms, 30s, 10m, 168h or 7d';

const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function durationMs(value: string): number {
  const match = durationGrammar.exec(value);
  if (!match) throw new Error(`invalid duration ${JSON.stringify(value)} (${durationHint})`);
  return Number(match[1]) * unitMs[match[2] as keyof typeof unitMs];
}
