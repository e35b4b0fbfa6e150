// A small seeded PRNG (mulberry32) for tests and the bench: the same seed gives the same
// sequence, so a failing run is reproduced by its seed.

/** A generator of uint32 values for this seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  /** One of the keys, with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K;
  bytes(length: number): Buffer;
}

export function seededRandom(seed: number): Random {
  const u32 = mulberry32(seed);
  const next = () => u32() / 2 ** 32;
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    pick: (items) => items[int(items.length)]!,
    weighted(weights) {
      const entries = Object.entries(weights) as [keyof typeof weights, number][];
      let x = next() * entries.reduce((sum, [, w]) => sum + w, 0);
      for (const [key, w] of entries) {
        x -= w;
        if (x < 0) return key;
      }
      return entries[entries.length - 1]![0];
    },
    bytes: (length) => randomBytesFrom(u32, length),
  };
}

/** `length` bytes from the generator, four at a time. */
export function randomBytesFrom(u32: () => number, length: number): Buffer {
  const words = new Uint32Array(Math.ceil(length / 4));
  for (let i = 0; i < words.length; i++) words[i] = u32();
  return Buffer.from(words.buffer, 0, length);
}
