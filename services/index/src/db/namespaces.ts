// Namespaces (one per user, one per organization), organization membership and teams.
import type { Db } from './open.js';
import { nowIso, prepared } from './open.js';

export type NamespaceKind = 'user' | 'org';
export type OrgRole = 'owner' | 'member';

export interface Namespace {
  id: number;
  name: string;
  kind: NamespaceKind;
  ownerUserId: number | null;
  displayName: string;
  createdAt: string;
}

export interface Team {
  id: number;
  orgId: number;
  name: string;
  createdAt: string;
}

interface NamespaceRow {
  id: number;
  name: string;
  kind: NamespaceKind;
  owner_user_id: number | null;
  display_name: string;
  created_at: string;
}

const toNamespace = (r: NamespaceRow | undefined): Namespace | undefined =>
  r && { id: r.id, name: r.name, kind: r.kind, ownerUserId: r.owner_user_id, displayName: r.display_name, createdAt: r.created_at };

const toTeam = (r: { id: number; org_id: number; name: string; created_at: string } | undefined): Team | undefined =>
  r && { id: r.id, orgId: r.org_id, name: r.name, createdAt: r.created_at };

export class NamespaceTable {
  constructor(private readonly db: Db) {}

  insert(name: string, kind: NamespaceKind, ownerUserId: number | null, displayName = ''): Namespace {
    const info = prepared(this.db, 'INSERT INTO namespaces (name, kind, owner_user_id, display_name, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(name, kind, ownerUserId, displayName, nowIso());
    return this.byId(Number(info.lastInsertRowid))!;
  }

  /**
   * Every namespace's name: what the chained registry keeps local (GET /registry/namespaces).
   * Retired names too: their images are still stored here and must not be taken for upstream's.
   */
  names(): string[] {
    const sql = 'SELECT name FROM namespaces UNION SELECT name FROM retired_names ORDER BY name';
    return (prepared(this.db, sql).all() as { name: string }[]).map((r) => r.name);
  }

  /** Whether the name belonged to a namespace that was deleted (migration 005 says why it stays taken). */
  isRetired(name: string): boolean {
    return prepared(this.db, 'SELECT 1 FROM retired_names WHERE name = ?').get(name) !== undefined;
  }

  byName(name: string): Namespace | undefined {
    return toNamespace(prepared(this.db, 'SELECT * FROM namespaces WHERE name = ?').get(name) as NamespaceRow | undefined);
  }

  byId(id: number): Namespace | undefined {
    return toNamespace(prepared(this.db, 'SELECT * FROM namespaces WHERE id = ?').get(id) as NamespaceRow | undefined);
  }

  setDisplayName(id: number, displayName: string): void {
    prepared(this.db, 'UPDATE namespaces SET display_name = ? WHERE id = ?').run(displayName, id);
  }

  /** Deletes the namespace and retires its name for good. */
  delete(id: number): void {
    prepared(this.db, 'INSERT OR IGNORE INTO retired_names (name, retired_at) SELECT name, ? FROM namespaces WHERE id = ?').run(nowIso(), id);
    prepared(this.db, 'DELETE FROM namespaces WHERE id = ?').run(id);
  }

  /** Organizations a user belongs to, with the role. */
  orgsOf(userId: number): (Namespace & { role: OrgRole })[] {
    const rows = prepared(this.db, 'SELECT n.*, m.role FROM namespaces n JOIN org_members m ON m.org_id = n.id WHERE m.user_id = ? ORDER BY n.name')
      .all(userId) as (NamespaceRow & { role: OrgRole })[];
    return rows.map((r) => ({ ...toNamespace(r)!, role: r.role }));
  }

  setMember(orgId: number, userId: number, role: OrgRole): void {
    prepared(this.db, 'INSERT INTO org_members (org_id, user_id, role) VALUES (?, ?, ?) ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role')
      .run(orgId, userId, role);
  }

  removeMember(orgId: number, userId: number): boolean {
    return prepared(this.db, 'DELETE FROM org_members WHERE org_id = ? AND user_id = ?').run(orgId, userId).changes > 0;
  }

  role(orgId: number, userId: number): OrgRole | undefined {
    const row = prepared(this.db, 'SELECT role FROM org_members WHERE org_id = ? AND user_id = ?').get(orgId, userId) as { role: OrgRole } | undefined;
    return row?.role;
  }

  members(orgId: number): { username: string; role: OrgRole }[] {
    return prepared(this.db, 'SELECT u.username, m.role FROM org_members m JOIN users u ON u.id = m.user_id WHERE m.org_id = ? ORDER BY u.username')
      .all(orgId) as { username: string; role: OrgRole }[];
  }

  countOwners(orgId: number): number {
    return (prepared(this.db, "SELECT COUNT(*) AS n FROM org_members WHERE org_id = ? AND role = 'owner'").get(orgId) as { n: number }).n;
  }

  insertTeam(orgId: number, name: string): Team {
    const info = prepared(this.db, 'INSERT INTO teams (org_id, name, created_at) VALUES (?, ?, ?)').run(orgId, name, nowIso());
    return toTeam(prepared(this.db, 'SELECT * FROM teams WHERE id = ?').get(Number(info.lastInsertRowid)) as never)!;
  }

  team(orgId: number, name: string): Team | undefined {
    return toTeam(prepared(this.db, 'SELECT * FROM teams WHERE org_id = ? AND name = ?').get(orgId, name) as never);
  }

  teams(orgId: number): Team[] {
    return (prepared(this.db, 'SELECT * FROM teams WHERE org_id = ? ORDER BY name').all(orgId) as never[]).map((r) => toTeam(r)!);
  }

  deleteTeam(teamId: number): void {
    prepared(this.db, 'DELETE FROM teams WHERE id = ?').run(teamId);
  }

  addTeamMember(teamId: number, userId: number): void {
    prepared(this.db, 'INSERT OR IGNORE INTO team_members (team_id, user_id) VALUES (?, ?)').run(teamId, userId);
  }

  removeTeamMember(teamId: number, userId: number): boolean {
    return prepared(this.db, 'DELETE FROM team_members WHERE team_id = ? AND user_id = ?').run(teamId, userId).changes > 0;
  }

  teamMembers(teamId: number): string[] {
    return (prepared(this.db, 'SELECT u.username FROM team_members t JOIN users u ON u.id = t.user_id WHERE t.team_id = ? ORDER BY u.username')
      .all(teamId) as { username: string }[]).map((r) => r.username);
  }
}
