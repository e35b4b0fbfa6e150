// The web UI's state: browser sessions (the id is stored as its SHA-256 only, so the table never
// holds a usable cookie; each session carries its own CSRF token and a one-shot notice), and the
// full references of each manifest (config, layers, child manifests with their platforms), which
// the repository pages show.
export const uiSchema = `
CREATE TABLE ui_sessions (
  id_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  notice TEXT,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX ui_sessions_expires ON ui_sessions (expires_at);
CREATE INDEX ui_sessions_user ON ui_sessions (user_id);

ALTER TABLE manifests ADD COLUMN refs TEXT NOT NULL DEFAULT '[]';
`;
