// The v1 protocol's tables: X-Docker-Token tokens (by the hash of their signature), the image ids
// and checksums of each repository, and deletes waiting for their second step.
import type { V1Access } from '@wharf/shared';
import type { Db } from './open.js';
import { nowIso, prepared } from './open.js';

export interface V1TokenRecord {
  id: number;
  repositoryId: number;
  userId: number | null;
  accessTokenId: number | null;
  access: V1Access;
  createdAt: string;
  expiresAt: string;
}

export interface V1Image {
  id: string;
  checksum: string | null;
}

export interface PendingDelete {
  repositoryId: number;
  requestedBy: number | null;
  requestedAt: string;
  expiresAt: string;
  authorizedAt: string | null;
}

interface TokenRow {
  id: number;
  repository_id: number;
  user_id: number | null;
  access_token_id: number | null;
  access: V1Access;
  created_at: string;
  expires_at: string;
}

export class V1Table {
  constructor(private readonly db: Db) {}

  insertToken(token: Omit<V1TokenRecord, 'id' | 'createdAt'> & { signatureHash: string }): void {
    prepared(this.db, 'INSERT INTO v1_tokens (signature_hash, repository_id, user_id, access_token_id, access, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(token.signatureHash, token.repositoryId, token.userId, token.accessTokenId, token.access, nowIso(), token.expiresAt);
  }

  tokenBySignatureHash(signatureHash: string): V1TokenRecord | undefined {
    const r = prepared(this.db, 'SELECT * FROM v1_tokens WHERE signature_hash = ?').get(signatureHash) as TokenRow | undefined;
    return r && {
      id: r.id,
      repositoryId: r.repository_id,
      userId: r.user_id,
      accessTokenId: r.access_token_id,
      access: r.access,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
    };
  }

  /** Forgets every token a user holds (their password changed, or the account was disabled). */
  deleteTokensOfUser(userId: number): void {
    prepared(this.db, 'DELETE FROM v1_tokens WHERE user_id = ?').run(userId);
  }

  /** Forgets tokens that expired before `now`; run on every issue, so the table stays small. */
  purgeExpiredTokens(now: string): void {
    prepared(this.db, 'DELETE FROM v1_tokens WHERE expires_at <= ?').run(now);
  }

  /** Adds image ids; a checksum, when given, replaces the recorded one (null never erases one). */
  recordImages(repositoryId: number, images: readonly V1Image[]): void {
    const upsert = prepared(this.db, 
      `INSERT INTO v1_images (repository_id, image_id, checksum, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (repository_id, image_id) DO UPDATE SET checksum = COALESCE(excluded.checksum, checksum), updated_at = excluded.updated_at`,
    );
    const at = nowIso();
    for (const image of images) upsert.run(repositoryId, image.id, image.checksum, at);
  }

  images(repositoryId: number): V1Image[] {
    return (prepared(this.db, 'SELECT image_id, checksum FROM v1_images WHERE repository_id = ? ORDER BY image_id').all(repositoryId) as { image_id: string; checksum: string | null }[]).map(
      (r) => ({ id: r.image_id, checksum: r.checksum }),
    );
  }

  /** Starts (or restarts) a repository's delete: a new request forgets an earlier authorization. */
  markPendingDelete(repositoryId: number, requestedBy: number | null, expiresAt: string): void {
    prepared(this.db, 
        `INSERT INTO v1_pending_deletes (repository_id, requested_by, requested_at, expires_at, authorized_at) VALUES (?, ?, ?, ?, NULL)
         ON CONFLICT (repository_id) DO UPDATE SET requested_by = excluded.requested_by, requested_at = excluded.requested_at, expires_at = excluded.expires_at, authorized_at = NULL`,
      )
      .run(repositoryId, requestedBy, nowIso(), expiresAt);
  }

  markDeleteAuthorized(repositoryId: number): void {
    prepared(this.db, 'UPDATE v1_pending_deletes SET authorized_at = ? WHERE repository_id = ?').run(nowIso(), repositoryId);
  }

  pendingDelete(repositoryId: number): PendingDelete | undefined {
    const r = prepared(this.db, 'SELECT * FROM v1_pending_deletes WHERE repository_id = ?').get(repositoryId) as
      | { repository_id: number; requested_by: number | null; requested_at: string; expires_at: string; authorized_at: string | null }
      | undefined;
    return r && { repositoryId: r.repository_id, requestedBy: r.requested_by, requestedAt: r.requested_at, expiresAt: r.expires_at, authorizedAt: r.authorized_at };
  }
}
