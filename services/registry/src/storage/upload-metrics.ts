// The upload sessions open on this instance, as a gauge: a decorator over the upload sessions
// (handlers never know). A session counts from the request that starts or continues it here
// until it is committed or cancelled; one left idle longer than the purge age stops counting,
// since the purge treats it as abandoned. Sessions live in storage, so with several instances
// each one reports those it has served. Clients can open sessions without end, so what is tracked
// is bounded (the gauge then reads at most the bound; the sessions themselves live in storage).
import { gauge, type MetricsRegistry } from '@wharf/common';
import { ByteLru } from '@wharf/shared';
import type { Uploads } from './registry-storage.js';

/** Sessions tracked at most (about 200 bytes each). */
export const maxTrackedUploads = 50_000;

export function countedUploads(uploads: Uploads, registry: MetricsRegistry, abandonedAfterMs: number, now = Date.now): Uploads {
  const lastSeen = new ByteLru<number>({ maxBytes: 16 * 1024 * 1024, maxEntries: maxTrackedUploads });
  gauge(registry, {
    name: 'wharf_registry_upload_sessions_open',
    help: 'Blob upload sessions started or continued on this instance and not yet committed, cancelled or abandoned',
    collect() {
      const cutoff = now() - abandonedAfterMs;
      for (const [uuid, at] of lastSeen.entries()) if (at < cutoff) lastSeen.delete(uuid);
      this.set(lastSeen.size);
    },
  });
  const seen = <T extends { uuid: string }>(status: T): T => {
    lastSeen.set(status.uuid, now());
    return status;
  };
  const ended = (uuid: string) => lastSeen.delete(uuid);
  return {
    start: async (name) => seen(await uploads.start(name)),
    status: async (name, uuid) => seen(await uploads.status(name, uuid)),
    append: async (name, uuid, source, range) => seen(await uploads.append(name, uuid, source, range)),
    // A failed commit has discarded the session (digest mismatch) or left it for a retry, which
    // counts it again.
    commit: (name, uuid, digest, finalChunk) => uploads.commit(name, uuid, digest, finalChunk).finally(() => ended(uuid)),
    cancel: (name, uuid) => uploads.cancel(name, uuid).finally(() => ended(uuid)),
  };
}
