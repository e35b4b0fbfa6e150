// The legacy v1 protocol's state (docs/protocol-v1.md): the tokens handed out in X-Docker-Token, the
// image ids and checksums clients report at the end of a push, and repository deletes waiting
// for their second step. Every row hangs off a repository, so deleting it removes them all.
export const v1Schema = `
CREATE TABLE v1_tokens (
  id INTEGER PRIMARY KEY,
  -- SHA-256 of the signature only: the repository and access are columns, and clients quote
  -- them loosely, so the whole header value is no stable key.
  signature_hash TEXT NOT NULL UNIQUE,
  repository_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
  -- NULL: issued to an anonymous caller (a public pull).
  user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
  -- Set when the holder logged in with a personal access token, whose cap and revocation apply.
  access_token_id INTEGER REFERENCES access_tokens(id) ON DELETE CASCADE,
  access TEXT NOT NULL CHECK (access IN ('read', 'write', 'delete')),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);

CREATE TABLE v1_images (
  repository_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
  image_id TEXT NOT NULL,
  checksum TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (repository_id, image_id)
);

CREATE TABLE v1_pending_deletes (
  repository_id INTEGER PRIMARY KEY REFERENCES repositories(id) ON DELETE CASCADE,
  requested_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  requested_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  -- When a registry presented the delete token at PUT .../auth, i.e. was told to delete.
  authorized_at TEXT
);

CREATE INDEX v1_tokens_expires ON v1_tokens (expires_at);
`;
