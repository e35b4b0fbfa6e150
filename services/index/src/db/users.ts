// Accounts as stored: username, email, bcrypt hash, admin and disabled flags.
import type { Db } from './open.js';
import { nowIso, prepared } from './open.js';

export interface User {
  id: number;
  username: string;
  email: string;
  passwordHash: string;
  isAdmin: boolean;
  disabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

interface UserRow {
  id: number;
  username: string;
  email: string;
  password_hash: string;
  is_admin: number;
  disabled: number;
  created_at: string;
  last_login_at: string | null;
}

function toUser(row: UserRow | undefined): User | undefined {
  if (!row) return undefined;
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    passwordHash: row.password_hash,
    isAdmin: row.is_admin === 1,
    disabled: row.disabled === 1,
    createdAt: row.created_at,
    lastLoginAt: row.last_login_at,
  };
}

export class UserTable {
  private readonly insertStmt;
  private readonly byNameStmt;
  private readonly byIdStmt;
  private readonly listStmt;
  private readonly countStmt;
  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(
      'INSERT INTO users (username, email, password_hash, is_admin, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.byNameStmt = db.prepare('SELECT * FROM users WHERE username = ?');
    this.byIdStmt = db.prepare('SELECT * FROM users WHERE id = ?');
    this.listStmt = db.prepare('SELECT * FROM users ORDER BY username LIMIT ? OFFSET ?');
    this.countStmt = db.prepare('SELECT COUNT(*) AS n FROM users');
  }

  insert(username: string, email: string, passwordHash: string, isAdmin: boolean): User {
    const info = this.insertStmt.run(username, email, passwordHash, isAdmin ? 1 : 0, nowIso());
    return this.byId(Number(info.lastInsertRowid))!;
  }

  byName(username: string): User | undefined {
    return toUser(this.byNameStmt.get(username) as UserRow | undefined);
  }

  byId(id: number): User | undefined {
    return toUser(this.byIdStmt.get(id) as UserRow | undefined);
  }

  list(limit: number, offset: number): User[] {
    return (this.listStmt.all(limit, offset) as UserRow[]).map((r) => toUser(r)!);
  }

  count(): number {
    return (this.countStmt.get() as { n: number }).n;
  }

  update(id: number, fields: Partial<Pick<User, 'email' | 'passwordHash' | 'isAdmin' | 'disabled' | 'lastLoginAt'>>): void {
    const columns: Record<string, unknown> = {
      email: fields.email,
      password_hash: fields.passwordHash,
      is_admin: fields.isAdmin === undefined ? undefined : fields.isAdmin ? 1 : 0,
      disabled: fields.disabled === undefined ? undefined : fields.disabled ? 1 : 0,
      last_login_at: fields.lastLoginAt,
    };
    const set = Object.entries(columns).filter(([, v]) => v !== undefined);
    if (set.length === 0) return;
    prepared(this.db, `UPDATE users SET ${set.map(([k]) => `${k} = ?`).join(', ')} WHERE id = ?`)
      .run(...set.map(([, v]) => v), id);
  }

  delete(id: number): boolean {
    return prepared(this.db, 'DELETE FROM users WHERE id = ?').run(id).changes > 0;
  }
}
