// What the registry reported: every manifest (digest, media type, size, layer digests) and tag of
// every repository — the index's "checksums".
import type { Db } from './open.js';
import { nowIso, prepared } from './open.js';

/** A descriptor the manifest points at, as the registry reported it (the UI shows these). */
export interface ManifestReference {
  mediaType?: string;
  digest: string;
  size?: number;
  platform?: { architecture: string; os: string; variant?: string };
}

export interface ManifestRecord {
  digest: string;
  mediaType: string;
  size: number;
  layers: string[];
  references: ManifestReference[];
  pushedAt: string;
  pushedBy: string | null;
}

export interface TagRecord extends ManifestRecord {
  tag: string;
  updatedAt: string;
}

interface ManifestRow {
  digest: string;
  media_type: string;
  size: number;
  layers: string;
  refs: string;
  pushed_at: string;
  pushed_by: string | null;
}

const toManifest = (r: ManifestRow): ManifestRecord => ({
  digest: r.digest,
  mediaType: r.media_type,
  size: r.size,
  layers: JSON.parse(r.layers) as string[],
  references: JSON.parse(r.refs) as ManifestReference[],
  pushedAt: r.pushed_at,
  pushedBy: r.pushed_by,
});

export class ImageTable {
  constructor(private readonly db: Db) {}

  recordManifest(repositoryId: number, m: Omit<ManifestRecord, 'pushedAt' | 'references'> & { pushedAt?: string; references?: ManifestReference[] }): void {
    prepared(this.db, 
        `INSERT INTO manifests (repository_id, digest, media_type, size, layers, refs, pushed_at, pushed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (repository_id, digest) DO UPDATE SET media_type = excluded.media_type, size = excluded.size, layers = excluded.layers, refs = excluded.refs`,
      )
      .run(repositoryId, m.digest, m.mediaType, m.size, JSON.stringify(m.layers), JSON.stringify(m.references ?? []), m.pushedAt ?? nowIso(), m.pushedBy);
  }

  setTag(repositoryId: number, tag: string, digest: string, at = nowIso()): void {
    prepared(this.db, 'INSERT INTO tags (repository_id, tag, digest, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (repository_id, tag) DO UPDATE SET digest = excluded.digest, updated_at = excluded.updated_at')
      .run(repositoryId, tag, digest, at);
  }

  removeTag(repositoryId: number, tag: string): boolean {
    return prepared(this.db, 'DELETE FROM tags WHERE repository_id = ? AND tag = ?').run(repositoryId, tag).changes > 0;
  }

  /** Removes a manifest and every tag pointing at it (as the registry does on delete). */
  removeManifest(repositoryId: number, digest: string): void {
    prepared(this.db, 'DELETE FROM tags WHERE repository_id = ? AND digest = ?').run(repositoryId, digest);
    prepared(this.db, 'DELETE FROM manifests WHERE repository_id = ? AND digest = ?').run(repositoryId, digest);
  }

  manifest(repositoryId: number, digest: string): ManifestRecord | undefined {
    const row = prepared(this.db, 'SELECT * FROM manifests WHERE repository_id = ? AND digest = ?').get(repositoryId, digest) as ManifestRow | undefined;
    return row && toManifest(row);
  }

  /**
   * Tags with their manifests, newest push first: at most `limit`, and no more references (or
   * layers) in all than `maxReferences`, but at least one tag. A manifest may list thousands and
   * every tag repeats its manifest's, so the list is cut by their sum; each manifest is read and
   * parsed once. A tag whose manifest was not reported keeps its digest, with no details.
   */
  tags(repositoryId: number, { limit = 1000, maxReferences = Infinity }: { limit?: number; maxReferences?: number } = {}): TagRecord[] {
    const rows = prepared(this.db, 
        `SELECT t.tag, t.updated_at, t.digest, m.digest IS NOT NULL AS reported,
                CASE WHEN m.digest IS NULL THEN 0 ELSE max(json_array_length(m.layers), json_array_length(m.refs)) END AS weight
         FROM tags t LEFT JOIN manifests m ON m.repository_id = t.repository_id AND m.digest = t.digest
         WHERE t.repository_id = ? ORDER BY t.updated_at DESC, t.tag LIMIT ?`,
      )
      .all(repositoryId, limit) as { tag: string; updated_at: string; digest: string; reported: number; weight: number }[];
    const manifests = new Map<string, ManifestRecord | undefined>();
    const tags: TagRecord[] = [];
    let references = 0;
    for (const row of rows) {
      references += row.weight;
      if (tags.length > 0 && references > maxReferences) break;
      if (row.reported && !manifests.has(row.digest)) manifests.set(row.digest, this.manifest(repositoryId, row.digest));
      const manifest = manifests.get(row.digest) ?? { digest: row.digest, mediaType: '', size: 0, layers: [], references: [], pushedAt: row.updated_at, pushedBy: null };
      tags.push({ ...manifest, tag: row.tag, updatedAt: row.updated_at });
    }
    return tags;
  }

  tagCount(repositoryId: number): number {
    return (prepared(this.db, 'SELECT COUNT(*) AS count FROM tags WHERE repository_id = ?').get(repositoryId) as { count: number }).count;
  }

  lastPush(repositoryId: number): string | undefined {
    const row = prepared(this.db, 'SELECT MAX(updated_at) AS at FROM tags WHERE repository_id = ?').get(repositoryId) as { at: string | null };
    return row.at ?? undefined;
  }
}
