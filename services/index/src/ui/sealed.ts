// A one-shot secret carried across a redirect (a new access token's secret, from POST to the
// GET that shows it) in the session's notice, sealed with a key only the browser holds: it is
// derived from the raw session id, of which the database keeps only the hash. So the notice
// column never holds a usable secret, and every worker can open it for that browser.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export function sessionSealingKey(sessionId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', sessionId, Buffer.alloc(0), 'wharf-ui-sealed-notice', 32));
}

export function seal(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** The plaintext, or undefined when the sealed text was not made with this key or was altered. */
export function unseal(key: Buffer, sealed: string): string | undefined {
  const raw = Buffer.from(sealed, 'base64url');
  if (raw.length < 28) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
