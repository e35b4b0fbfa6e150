// The checksums and tags of upstream content the chained registry cached (migration 003).
import type { Db } from './open.js';
import { nowIso, prepared } from './open.js';

export interface CachedManifest {
  digest: string;
  mediaType: string;
  size: number;
  layers: string[];
  cachedAt: string;
}

export interface CachedTag {
  tag: string;
  digest: string;
  updatedAt: string;
}

interface ManifestRow {
  digest: string;
  media_type: string;
  size: number;
  layers: string;
  cached_at: string;
}

export class UpstreamCacheTable {
  constructor(private readonly db: Db) {}

  recordManifest(repository: string, m: Omit<CachedManifest, 'cachedAt'> & { cachedAt?: string }): void {
    prepared(
      this.db,
      `INSERT INTO upstream_manifests (repository, digest, media_type, size, layers, cached_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (repository, digest) DO UPDATE SET media_type = excluded.media_type, size = excluded.size, layers = excluded.layers`,
    ).run(repository, m.digest, m.mediaType, m.size, JSON.stringify(m.layers), m.cachedAt ?? nowIso());
  }

  setTag(repository: string, tag: string, digest: string, at = nowIso()): void {
    prepared(
      this.db,
      'INSERT INTO upstream_tags (repository, tag, digest, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (repository, tag) DO UPDATE SET digest = excluded.digest, updated_at = excluded.updated_at',
    ).run(repository, tag, digest, at);
  }

  tags(repository: string): CachedTag[] {
    const rows = prepared(this.db, 'SELECT tag, digest, updated_at FROM upstream_tags WHERE repository = ? ORDER BY tag').all(repository) as { tag: string; digest: string; updated_at: string }[];
    return rows.map((r) => ({ tag: r.tag, digest: r.digest, updatedAt: r.updated_at }));
  }

  manifests(repository: string): CachedManifest[] {
    const rows = prepared(this.db, 'SELECT digest, media_type, size, layers, cached_at FROM upstream_manifests WHERE repository = ? ORDER BY cached_at, digest').all(repository) as ManifestRow[];
    return rows.map((r) => ({ digest: r.digest, mediaType: r.media_type, size: r.size, layers: JSON.parse(r.layers) as string[], cachedAt: r.cached_at }));
  }
}
