// Multipart part sizes. A writer does not know the final size of what it streams, yet S3 allows
// at most 10,000 parts of at most 5 GiB, every one but the last at least 5 MiB. Distribution's
// fixed chunk size fails past chunkSize × 10,000 (its issue #2814); here the part size doubles
// every `partsPerStep` parts, so small blobs keep small parts (little memory per upload) and
// 10,000 parts always hold more than 5 TiB, S3's largest object.
export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;
export const TiB = 1024 * GiB;
export const minPartBytes = 5 * MiB;
export const maxPartBytes = 5 * GiB;
export const maxParts = 10_000;
export const maxObjectBytes = 5 * TiB;
/** With 5 MiB parts, doubling every 900 parts reaches 5 TiB (1000 would stop at ~4.9 TiB). */
export const partsPerStep = 900;

/** The size of part `partNumber` (1-based) for a configured chunk size. */
export function partSize(partNumber: number, chunkSize: number): number {
  if (!Number.isSafeInteger(partNumber) || partNumber < 1 || partNumber > maxParts) {
    throw new RangeError(`part number ${partNumber} is outside 1..${maxParts}`);
  }
  const base = Math.min(Math.max(chunkSize, minPartBytes), maxPartBytes);
  return Math.min(base * 2 ** Math.floor((partNumber - 1) / partsPerStep), maxPartBytes);
}

/** How many bytes the first `parts` parts hold. */
export function capacity(parts: number, chunkSize: number): number {
  let total = 0;
  for (let n = 1; n <= parts; n++) total += partSize(n, chunkSize);
  return total;
}

/** How many parts a writer uses for `bytes` (at least one: an empty object is one empty part). */
export function partsFor(bytes: number, chunkSize: number): number {
  let total = 0;
  for (let n = 1; n <= maxParts; n++) {
    total += partSize(n, chunkSize);
    if (total >= bytes) return n;
  }
  throw new RangeError(`${bytes} bytes do not fit in ${maxParts} parts`);
}

/**
 * Byte ranges (inclusive ends) of a server-side multipart copy of `size` bytes: 1 GiB parts, or
 * larger when 10,000 of those would not hold it.
 */
export function copyRanges(size: number): { start: number; end: number }[] {
  const part = Math.max(GiB, Math.ceil(size / maxParts));
  const ranges: { start: number; end: number }[] = [];
  for (let start = 0; start < size; start += part) ranges.push({ start, end: Math.min(start + part, size) - 1 });
  return ranges;
}
