// The token-signing keys the index generated, with their certificates. The newest unretired key
// signs; every key not retired is published.
import type { Db } from './open.js';
import { nowIso } from './open.js';

export interface SigningKeyRecord {
  kid: string;
  algorithm: string;
  privatePem: string;
  certificatePem: string;
  createdAt: string;
}

export class SigningKeyTable {
  constructor(private readonly db: Db) {}

  insert(record: Omit<SigningKeyRecord, 'createdAt'>): void {
    this.db
      .prepare('INSERT INTO signing_keys (kid, algorithm, private_pem, certificate_pem, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(record.kid, record.algorithm, record.privatePem, record.certificatePem, nowIso());
  }

  active(): SigningKeyRecord[] {
    const rows = this.db
      .prepare('SELECT kid, algorithm, private_pem, certificate_pem, created_at FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC, rowid DESC')
      .all() as { kid: string; algorithm: string; private_pem: string; certificate_pem: string; created_at: string }[];
    return rows.map((r) => ({ kid: r.kid, algorithm: r.algorithm, privatePem: r.private_pem, certificatePem: r.certificate_pem, createdAt: r.created_at }));
  }
}
