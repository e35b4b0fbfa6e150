// Names of deleted accounts and organizations. The registry keeps a deleted namespace's images
// (deleting in the index never removes bytes), so whoever took the name next would own, and
// pull, the previous holder's private images: a retired name is never handed out again.
export const retiredNamesSchema = `
CREATE TABLE retired_names (
  name TEXT PRIMARY KEY,
  retired_at TEXT NOT NULL
);
`;
