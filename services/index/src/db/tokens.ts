// Personal access tokens and refresh tokens, stored as SHA-256 hashes only (a token is random
// and long, so a fast hash is enough; the clear value is shown once and never stored).
import type { Db } from './open.js';
import { nowIso, prepared } from './open.js';

export type TokenPermission = 'read' | 'read-write' | 'read-write-delete';

export interface AccessToken {
  id: number;
  userId: number;
  name: string;
  permission: TokenPermission;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface RefreshToken {
  id: number;
  userId: number;
  clientId: string;
  accessTokenId: number | null;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

interface AccessTokenRow {
  id: number;
  user_id: number;
  name: string;
  permission: TokenPermission;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

const toAccessToken = (r: AccessTokenRow | undefined): AccessToken | undefined =>
  r && {
    id: r.id,
    userId: r.user_id,
    name: r.name,
    permission: r.permission,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  };

export class TokenTable {
  constructor(private readonly db: Db) {}

  insertAccessToken(userId: number, name: string, permission: TokenPermission, tokenHash: string, expiresAt: string | null): AccessToken {
    const info = prepared(this.db, 'INSERT INTO access_tokens (user_id, name, permission, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(userId, name, permission, tokenHash, nowIso(), expiresAt);
    return toAccessToken(prepared(this.db, 'SELECT * FROM access_tokens WHERE id = ?').get(Number(info.lastInsertRowid)) as AccessTokenRow)!;
  }

  accessTokenByHash(tokenHash: string): AccessToken | undefined {
    return toAccessToken(prepared(this.db, 'SELECT * FROM access_tokens WHERE token_hash = ?').get(tokenHash) as AccessTokenRow | undefined);
  }

  accessTokens(userId: number): AccessToken[] {
    return (prepared(this.db, 'SELECT * FROM access_tokens WHERE user_id = ? ORDER BY created_at DESC, id DESC').all(userId) as AccessTokenRow[]).map(
      (r) => toAccessToken(r)!,
    );
  }

  accessTokenById(id: number): AccessToken | undefined {
    return toAccessToken(prepared(this.db, 'SELECT * FROM access_tokens WHERE id = ?').get(id) as AccessTokenRow | undefined);
  }

  touchAccessToken(id: number): void {
    prepared(this.db, 'UPDATE access_tokens SET last_used_at = ? WHERE id = ?').run(nowIso(), id);
  }

  /** Revokes an access token and every refresh token issued on the strength of it. */
  revokeAccessToken(id: number): void {
    const now = nowIso();
    prepared(this.db, 'UPDATE access_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?').run(now, id);
    prepared(this.db, 'UPDATE refresh_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE access_token_id = ?').run(now, id);
  }

  insertRefreshToken(userId: number, tokenHash: string, clientId: string, accessTokenId: number | null, expiresAt: string): void {
    prepared(this.db, 'INSERT INTO refresh_tokens (user_id, token_hash, client_id, access_token_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(userId, tokenHash, clientId, accessTokenId, nowIso(), expiresAt);
  }

  refreshTokenByHash(tokenHash: string): RefreshToken | undefined {
    const r = prepared(this.db, 'SELECT * FROM refresh_tokens WHERE token_hash = ?').get(tokenHash) as
      | { id: number; user_id: number; client_id: string; access_token_id: number | null; created_at: string; expires_at: string; revoked_at: string | null }
      | undefined;
    return r && {
      id: r.id,
      userId: r.user_id,
      clientId: r.client_id,
      accessTokenId: r.access_token_id,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      revokedAt: r.revoked_at,
    };
  }

  revokeRefreshTokens(userId: number): void {
    prepared(this.db, 'UPDATE refresh_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE user_id = ?').run(nowIso(), userId);
  }
}
