// The registry proves it is the registry with the shared secret of index.events.secret, sent as
// `Authorization: Bearer <secret>`. Both sides are hashed first, so timingSafeEqual compares equal
// lengths and the time taken says nothing about the secret.
import { createHash, timingSafeEqual } from 'node:crypto';
import { IndexError } from '../http/errors.js';

const challenge = { 'WWW-Authenticate': 'Bearer realm="wharf-events"' };

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Throws UNAVAILABLE when no secret is configured, UNAUTHORIZED when the header lacks it. */
export function authorizeRegistry(secret: string | undefined, authorization: string | undefined): void {
  if (!secret) throw new IndexError('UNAVAILABLE', { message: 'events are not accepted: index.events.secret is not configured' });
  const presented = /^Bearer\s+(.*?)\s*$/i.exec(authorization ?? '')?.[1];
  if (!presented) throw new IndexError('UNAUTHORIZED', { message: 'events need the shared secret as a Bearer token', headers: challenge });
  if (!timingSafeEqual(sha256(presented), sha256(secret))) {
    throw new IndexError('UNAUTHORIZED', { message: 'wrong events secret', headers: challenge });
  }
}
