// Reads an image's config blob from the index's registry over the v2 API for the tag page. The
// index holds no blobs; it asks with a pull token it mints for itself for that one repository.
// Bounded: a size cap, a timeout, the digest checked, and a small cache keyed by digest (blobs
// are content-addressed, so an entry never goes stale) bounded by entries and bytes.
import { ByteLru, Digester, parseDigest, stringBytes } from '@wharf/shared';
import { readImageConfig, type ImageConfig } from './image-config.js';

export interface ConfigFetcherOptions {
  /** The registry's base URL, e.g. http://127.0.0.1:5000 (no path). */
  registryUrl: string;
  /** A pull token for exactly this repository, or undefined when none can be minted. */
  pullToken: (repository: string) => string | undefined;
  timeoutMs: number;
  maxBytes: number;
  cacheEntries: number;
  /** Bytes of configs kept at most, as their JSON would take. */
  cacheBytes: number;
}

export type ConfigResult = { config: ImageConfig } | { unavailable: string };

export class ConfigFetcher {
  private readonly cache: ByteLru<ImageConfig>;

  constructor(private readonly options: ConfigFetcherOptions) {
    // A parsed config costs about its JSON text; the estimate is taken once, when it is stored.
    this.cache = new ByteLru({ maxBytes: options.cacheBytes, maxEntries: options.cacheEntries, sizeOf: (c) => stringBytes(JSON.stringify(c)) });
  }

  /** The config of `digest` in `repository`; a reason instead when it cannot be read. Never throws. */
  async fetch(repository: string, digest: string, size?: number): Promise<ConfigResult> {
    const cached = this.cache.get(digest);
    if (cached) return { config: cached };
    try {
      const config = await this.download(repository, digest, size);
      this.cache.set(digest, config);
      return { config };
    } catch (err) {
      return { unavailable: err instanceof Error ? err.message : String(err) };
    }
  }

  private async download(repository: string, digest: string, size?: number): Promise<ImageConfig> {
    const { maxBytes, timeoutMs } = this.options;
    const { algorithm } = parseDigest(digest);
    if (size !== undefined && size > maxBytes) throw new Error(`the config is ${size} bytes, over the ${maxBytes}-byte limit`);
    const token = this.options.pullToken(repository);
    if (!token) throw new Error('no signing key to authorize the read');
    const url = `${this.options.registryUrl.replace(/\/+$/, '')}/v2/${repository}/blobs/${digest}`;
    // One signal for the whole exchange, body included; fetch drops Authorization on a
    // cross-origin redirect (a storage backend's presigned URL).
    const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw new Error(`the registry answered ${res.status}`);
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > maxBytes) {
      await res.body.cancel();
      throw new Error(`the config is ${declared} bytes, over the ${maxBytes}-byte limit`);
    }
    const digester = new Digester(algorithm);
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of res.body) {
      total += chunk.byteLength;
      if (total > maxBytes) throw new Error(`the config is over the ${maxBytes}-byte limit`);
      digester.update(chunk);
      chunks.push(chunk);
    }
    if (digester.digest() !== digest) throw new Error('the config does not match its digest');
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      throw new Error('the config is not JSON');
    }
    const config = readImageConfig(parsed);
    if (!config) throw new Error('the config is not a JSON object');
    return config;
  }
}
