// Every table of the index behind one object, over one database connection.
import { AuditTable } from './audit.js';
import { ImageTable } from './images.js';
import { NamespaceTable } from './namespaces.js';
import { openDatabase, type Db } from './open.js';
import { RepositoryTable } from './repositories.js';
import { SessionTable } from './sessions.js';
import { SigningKeyTable } from './signing-keys.js';
import { TokenTable } from './tokens.js';
import { UpstreamCacheTable } from './upstream-cache.js';
import { UserTable } from './users.js';
import { V1Table } from './v1.js';
import { WebhookTable } from './webhooks.js';

export interface IndexStore {
  db: Db;
  users: UserTable;
  namespaces: NamespaceTable;
  repositories: RepositoryTable;
  images: ImageTable;
  tokens: TokenTable;
  signingKeys: SigningKeyTable;
  audit: AuditTable;
  webhooks: WebhookTable;
  v1: V1Table;
  /** What the chained registry cached from upstream. */
  upstreamCache: UpstreamCacheTable;
  sessions: SessionTable;
  /** Runs fn in one transaction: all of it applies, or none. */
  transaction<T>(fn: () => T): T;
  close(): void;
}

export function openIndexStore(path: string): IndexStore {
  const db = openDatabase(path);
  return {
    db,
    users: new UserTable(db),
    namespaces: new NamespaceTable(db),
    repositories: new RepositoryTable(db),
    images: new ImageTable(db),
    tokens: new TokenTable(db),
    signingKeys: new SigningKeyTable(db),
    audit: new AuditTable(db),
    webhooks: new WebhookTable(db),
    v1: new V1Table(db),
    upstreamCache: new UpstreamCacheTable(db),
    sessions: new SessionTable(db),
    transaction: <T>(fn: () => T): T => db.transaction(fn)(),
    close: () => db.close(),
  };
}
