// Content digests: the grammar of the OCI image spec (descriptor.md#digests), and hashing.
import { createHash, type Hash } from 'node:crypto';

export type DigestAlgorithm = 'sha256' | 'sha512';

/** `algorithm:encoded` as the OCI descriptor grammar defines it. */
const digestGrammar = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;
const encodedGrammar: Record<DigestAlgorithm, RegExp> = {
  sha256: /^[a-f0-9]{64}$/,
  sha512: /^[a-f0-9]{128}$/,
};

export interface ParsedDigest {
  algorithm: DigestAlgorithm;
  encoded: string;
  digest: string;
}

export class DigestError extends Error {
  constructor(message: string, readonly unsupported = false) {
    super(message);
  }
}

export function isSupportedAlgorithm(name: string): name is DigestAlgorithm {
  return name === 'sha256' || name === 'sha512';
}

/** Parses and validates a digest; throws DigestError naming what is wrong. */
export function parseDigest(value: string): ParsedDigest {
  const match = digestGrammar.exec(value);
  if (!match) throw new DigestError(`invalid digest ${JSON.stringify(value)}`);
  const [, algorithm, encoded] = match as unknown as [string, string, string];
  if (!isSupportedAlgorithm(algorithm)) {
    throw new DigestError(`unsupported digest algorithm ${JSON.stringify(algorithm)}`, true);
  }
  if (!encodedGrammar[algorithm].test(encoded)) {
    throw new DigestError(`invalid ${algorithm} digest ${JSON.stringify(value)}`);
  }
  return { algorithm, encoded, digest: value };
}

export function isDigest(value: string): boolean {
  try {
    parseDigest(value);
    return true;
  } catch {
    return false;
  }
}

/** A running hash that yields the digest string once all bytes are seen. */
export class Digester {
  private readonly hash: Hash;
  constructor(readonly algorithm: DigestAlgorithm = 'sha256') {
    this.hash = createHash(algorithm);
  }
  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
  }
  digest(): string {
    return `${this.algorithm}:${this.hash.digest('hex')}`;
  }
}

export function digestOf(data: Uint8Array | string, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}
