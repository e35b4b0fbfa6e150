// Repositories, their collaborators and team permissions, stars and comments.
import type { Db } from './open.js';
import { nowIso, prepared } from './open.js';

export type Visibility = 'public' | 'private';
export type RepoPermission = 'read' | 'write' | 'admin';

export interface Repository {
  id: number;
  namespaceId: number;
  name: string;
  visibility: Visibility;
  description: string;
  createdAt: string;
  updatedAt: string;
}

export interface Comment {
  id: number;
  repositoryId: number;
  author: string;
  body: string;
  createdAt: string;
}

interface RepositoryRow {
  id: number;
  namespace_id: number;
  name: string;
  visibility: Visibility;
  description: string;
  created_at: string;
  updated_at: string;
}

export const toRepository = (r: RepositoryRow | undefined): Repository | undefined =>
  r && {
    id: r.id,
    namespaceId: r.namespace_id,
    name: r.name,
    visibility: r.visibility,
    description: r.description,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };

export class RepositoryTable {
  constructor(private readonly db: Db) {}

  insert(namespaceId: number, name: string, visibility: Visibility, description = ''): Repository {
    const now = nowIso();
    const info = prepared(this.db, 'INSERT INTO repositories (namespace_id, name, visibility, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(namespaceId, name, visibility, description, now, now);
    return this.byId(Number(info.lastInsertRowid))!;
  }

  byName(name: string): Repository | undefined {
    return toRepository(prepared(this.db, 'SELECT * FROM repositories WHERE name = ?').get(name) as RepositoryRow | undefined);
  }

  byId(id: number): Repository | undefined {
    return toRepository(prepared(this.db, 'SELECT * FROM repositories WHERE id = ?').get(id) as RepositoryRow | undefined);
  }

  /** One page (by name) of a namespace's repositories within `scope`, and how many there are. */
  pageInNamespace(namespaceId: number, scope: PullableScope, limit: number, offset: number): { repositories: Repository[]; total: number } {
    const pullable = pullableClause(scope);
    const where = `WHERE r.namespace_id = ?${pullable.sql ? ` AND ${pullable.sql}` : ''}`;
    const params = [namespaceId, ...pullable.params];
    const total = (prepared(this.db, `SELECT COUNT(*) AS count FROM repositories r ${where}`).get(...params) as { count: number }).count;
    const rows = prepared(this.db, `SELECT r.* FROM repositories r ${where} ORDER BY r.name LIMIT ? OFFSET ?`).all(...params, limit, offset) as RepositoryRow[];
    return { repositories: rows.map((r) => toRepository(r)!), total };
  }

  inNamespace(namespaceId: number): Repository[] {
    return (prepared(this.db, 'SELECT * FROM repositories WHERE namespace_id = ? ORDER BY name').all(namespaceId) as RepositoryRow[]).map(
      (r) => toRepository(r)!,
    );
  }

  update(id: number, fields: { visibility?: Visibility; description?: string }): void {
    const repo = this.byId(id);
    if (!repo) return;
    prepared(this.db, 'UPDATE repositories SET visibility = ?, description = ?, updated_at = ? WHERE id = ?')
      .run(fields.visibility ?? repo.visibility, fields.description ?? repo.description, nowIso(), id);
  }

  touch(id: number): void {
    prepared(this.db, 'UPDATE repositories SET updated_at = ? WHERE id = ?').run(nowIso(), id);
  }

  delete(id: number): void {
    prepared(this.db, 'DELETE FROM repositories WHERE id = ?').run(id);
  }

  setCollaborator(repositoryId: number, userId: number, permission: RepoPermission): void {
    prepared(this.db, 'INSERT INTO collaborators (repository_id, user_id, permission) VALUES (?, ?, ?) ON CONFLICT (repository_id, user_id) DO UPDATE SET permission = excluded.permission')
      .run(repositoryId, userId, permission);
  }

  removeCollaborator(repositoryId: number, userId: number): boolean {
    return prepared(this.db, 'DELETE FROM collaborators WHERE repository_id = ? AND user_id = ?').run(repositoryId, userId).changes > 0;
  }

  collaborator(repositoryId: number, userId: number): RepoPermission | undefined {
    const row = prepared(this.db, 'SELECT permission FROM collaborators WHERE repository_id = ? AND user_id = ?').get(repositoryId, userId) as
      | { permission: RepoPermission }
      | undefined;
    return row?.permission;
  }

  collaborators(repositoryId: number): { username: string; permission: RepoPermission }[] {
    return prepared(this.db, 'SELECT u.username, c.permission FROM collaborators c JOIN users u ON u.id = c.user_id WHERE c.repository_id = ? ORDER BY u.username')
      .all(repositoryId) as { username: string; permission: RepoPermission }[];
  }

  setTeamPermission(teamId: number, repositoryId: number, permission: RepoPermission): void {
    prepared(this.db, 'INSERT INTO team_permissions (team_id, repository_id, permission) VALUES (?, ?, ?) ON CONFLICT (team_id, repository_id) DO UPDATE SET permission = excluded.permission')
      .run(teamId, repositoryId, permission);
  }

  removeTeamPermission(teamId: number, repositoryId: number): boolean {
    return prepared(this.db, 'DELETE FROM team_permissions WHERE team_id = ? AND repository_id = ?').run(teamId, repositoryId).changes > 0;
  }

  teamPermissions(teamId: number): { repository: string; permission: RepoPermission }[] {
    return prepared(this.db, 'SELECT r.name AS repository, p.permission FROM team_permissions p JOIN repositories r ON r.id = p.repository_id WHERE p.team_id = ? ORDER BY r.name')
      .all(teamId) as { repository: string; permission: RepoPermission }[];
  }

  /** Every permission a user holds on a repository through the teams they are in. */
  teamPermissionsOf(repositoryId: number, userId: number): RepoPermission[] {
    return (prepared(this.db, 'SELECT p.permission FROM team_permissions p JOIN team_members m ON m.team_id = p.team_id WHERE p.repository_id = ? AND m.user_id = ?')
      .all(repositoryId, userId) as { permission: RepoPermission }[]).map((r) => r.permission);
  }

  /** Ids of the repositories a user holds any permission on, as collaborator or through a team. */
  repositoryIdsWithPermission(userId: number): Set<number> {
    const rows = prepared(
      this.db,
      `SELECT repository_id AS id FROM collaborators WHERE user_id = ?
       UNION SELECT p.repository_id FROM team_permissions p JOIN team_members m ON m.team_id = p.team_id WHERE m.user_id = ?`,
    ).all(userId, userId) as { id: number }[];
    return new Set(rows.map((r) => r.id));
  }

  star(repositoryId: number, userId: number): void {
    prepared(this.db, 'INSERT OR IGNORE INTO stars (repository_id, user_id, created_at) VALUES (?, ?, ?)').run(repositoryId, userId, nowIso());
  }

  unstar(repositoryId: number, userId: number): void {
    prepared(this.db, 'DELETE FROM stars WHERE repository_id = ? AND user_id = ?').run(repositoryId, userId);
  }

  starCount(repositoryId: number): number {
    return (prepared(this.db, 'SELECT COUNT(*) AS n FROM stars WHERE repository_id = ?').get(repositoryId) as { n: number }).n;
  }

  isStarred(repositoryId: number, userId: number): boolean {
    return prepared(this.db, 'SELECT 1 FROM stars WHERE repository_id = ? AND user_id = ?').get(repositoryId, userId) !== undefined;
  }

  addComment(repositoryId: number, userId: number, body: string): Comment {
    const info = prepared(this.db, 'INSERT INTO comments (repository_id, user_id, body, created_at) VALUES (?, ?, ?, ?)')
      .run(repositoryId, userId, body, nowIso());
    return this.comment(Number(info.lastInsertRowid))!;
  }

  comment(id: number): (Comment & { userId: number }) | undefined {
    const row = prepared(this.db, 'SELECT c.*, u.username FROM comments c JOIN users u ON u.id = c.user_id WHERE c.id = ?')
      .get(id) as { id: number; repository_id: number; user_id: number; username: string; body: string; created_at: string } | undefined;
    return row && { id: row.id, repositoryId: row.repository_id, userId: row.user_id, author: row.username, body: row.body, createdAt: row.created_at };
  }

  /** `limit` comments after skipping the `offset` newest, oldest first. */
  commentCount(repositoryId: number): number {
    return (prepared(this.db, 'SELECT COUNT(*) AS count FROM comments WHERE repository_id = ?').get(repositoryId) as { count: number }).count;
  }

  comments(repositoryId: number, limit: number, offset = 0): Comment[] {
    return (prepared(this.db, `SELECT * FROM (SELECT c.id, c.repository_id, u.username, c.body, c.created_at FROM comments c JOIN users u ON u.id = c.user_id
       WHERE c.repository_id = ? ORDER BY c.id DESC LIMIT ? OFFSET ?) ORDER BY id`)
      .all(repositoryId, limit, offset) as { id: number; repository_id: number; username: string; body: string; created_at: string }[]).map((r) => ({
      id: r.id,
      repositoryId: r.repository_id,
      author: r.username,
      body: r.body,
      createdAt: r.created_at,
    }));
  }

  deleteComment(id: number): void {
    prepared(this.db, 'DELETE FROM comments WHERE id = ?').run(id);
  }
}

/**
 * Whom a query shows which repositories (permissions/grant.ts: pullScope decides): every one, or
 * the public ones plus those in `namespaces` (a name's first component, as namespaceOf) or with
 * these ids.
 */
export type PullableScope = { all: true } | { all: false; namespaces: string[]; repositoryIds: number[] };

/** The scope as SQL over `repositories r` (empty for every repository) and its parameters. */
export function pullableClause(scope: PullableScope): { sql: string; params: unknown[] } {
  if (scope.all) return { sql: '', params: [] };
  return {
    sql: "(r.visibility = 'public' OR substr(r.name, 1, instr(r.name || '/', '/') - 1) IN (SELECT value FROM json_each(?)) OR r.id IN (SELECT value FROM json_each(?)))",
    params: [JSON.stringify(scope.namespaces), JSON.stringify(scope.repositoryIds)],
  };
}
