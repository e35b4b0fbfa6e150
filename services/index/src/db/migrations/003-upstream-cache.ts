// What the chained registry cached from upstream (README, "Chained private index / pull-through
// cache"): its cache fills arrive as push events for names in no local namespace. They are kept
// apart from the repositories table, whose rows belong to a local namespace and carry
// permissions; these rows are only the checksums and tags of upstream content held here.
export const upstreamCacheSchema = `
CREATE TABLE upstream_manifests (
  repository TEXT NOT NULL,
  digest TEXT NOT NULL,
  media_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  layers TEXT NOT NULL,
  cached_at TEXT NOT NULL,
  PRIMARY KEY (repository, digest)
);
CREATE TABLE upstream_tags (
  repository TEXT NOT NULL,
  tag TEXT NOT NULL,
  digest TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (repository, tag)
);
`;
