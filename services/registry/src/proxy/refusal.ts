// What a write to a proxied name gets: the cache holds the upstream's content only, so pushes and
// deletes are refused (UNSUPPORTED, 405), naming the upstream the name belongs to.
import { RegistryError } from '@wharf/shared';
import type { UpstreamRoute } from './routing.js';
import { isUpstreamError } from './upstream/client.js';

export function refuseWrite(name: string, route: UpstreamRoute): RegistryError {
  return new RegistryError('UNSUPPORTED', {
    message: `${name} is a pull-through cache of upstream ${JSON.stringify(route.upstream.name)} (${route.upstream.url}): pushes and deletes are not accepted here`,
    detail: { name, upstream: route.upstream.name },
  });
}

/**
 * An upstream failure as the client should see it: the upstream down is UNAVAILABLE (503);
 * "no such thing" or "not for you" from the upstream is the route's own unknown code.
 */
export function upstreamFailure(err: unknown, unknown: 'MANIFEST_UNKNOWN' | 'BLOB_UNKNOWN' | 'NAME_UNKNOWN', detail: Record<string, unknown>): unknown {
  if (!isUpstreamError(err)) return err;
  if (err.failure === 'not-found' || err.failure === 'denied') return new RegistryError(unknown, { message: err.message, detail });
  return new RegistryError('UNAVAILABLE', { message: err.message, detail });
}
