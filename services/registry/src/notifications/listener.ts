// Decorators over the manifest and tag stores (as Distribution's notifications/listener.go): once
// a push or delete has succeeded they hand an event to the sink, which stores it in each
// endpoint's durable queue before the request returns. Handlers and stores know nothing of it.
// If the queue cannot be written the request fails (the change itself is done, and a client's
// retry sends the event again) rather than succeeding with its event lost.
import type { Logger } from 'pino';
import { parseManifest, type Event, type EventTarget } from '@wharf/shared';
import type { PutManifestResult, StoredManifest } from '../storage/manifest-store.js';
import type { ChangeOrigin, Manifests, Tags } from '../storage/registry-storage.js';
import { createEvent, manifestUrl, type EventSource } from './bridge.js';

export interface EventSink {
  /** Resolves once the event is stored for every endpoint that wants it. */
  write(event: Event): Promise<void>;
}

export interface ListenerDeps {
  sink: EventSink;
  source: EventSource;
  logger: Logger;
}

/** Builds and stores an event; a bug building it is logged, a storage failure fails the request. */
async function emit(deps: ListenerDeps, build: () => Event): Promise<void> {
  let event: Event;
  try {
    event = build();
  } catch (err) {
    deps.logger.error({ err }, 'could not build a notification');
    return;
  }
  await deps.sink.write(event);
}

function pushTarget(name: string, reference: string, content: Buffer, contentType: string | undefined, digest: string, origin?: ChangeOrigin): EventTarget {
  // The store accepted these bytes under this content type, so they parse the same way again.
  const parsed = parseManifest(content, contentType);
  const target: EventTarget = {
    mediaType: parsed.mediaType,
    size: content.length,
    digest,
    length: content.length,
    repository: name,
    references: [...parsed.blobs, ...parsed.manifests].map((d) => ({
      mediaType: d.mediaType,
      digest: d.digest,
      size: d.size,
      // Receivers (the index: shared/src/events.ts) refuse a platform without both, and with it
      // the whole envelope: a manifest's empty strings say nothing, so they are left out.
      ...(d.platform?.architecture && d.platform.os ? { platform: { architecture: d.platform.architecture, os: d.platform.os, ...(d.platform.variant ? { variant: d.platform.variant } : {}) } } : {}),
    })),
  };
  const url = manifestUrl(origin, name, digest);
  if (url) target.url = url;
  if (!reference.includes(':')) target.tag = reference;
  return target;
}

export class NotifyingManifests implements Manifests {
  constructor(
    private readonly inner: Manifests,
    private readonly deps: ListenerDeps,
  ) {}

  exists(name: string, digest: string): Promise<boolean> {
    return this.inner.exists(name, digest);
  }

  resolve(name: string, reference: string): Promise<string> {
    return this.inner.resolve(name, reference);
  }

  get(name: string, reference: string): Promise<StoredManifest> {
    return this.inner.get(name, reference);
  }

  describe(name: string, digest: string): Promise<StoredManifest | undefined> {
    return this.inner.describe(name, digest);
  }

  async put(name: string, reference: string, content: Buffer, contentType: string | undefined, origin?: ChangeOrigin): Promise<PutManifestResult> {
    const result = await this.inner.put(name, reference, content, contentType, origin);
    await emit(this.deps, () =>
      createEvent('push', pushTarget(name, reference, content, contentType, result.digest, origin), origin, this.deps.source),
    );
    return result;
  }

  /** notifications.md: a delete's target carries only the repository and the digest. */
  async delete(name: string, digest: string, origin?: ChangeOrigin): Promise<StoredManifest> {
    const stored = await this.inner.delete(name, digest, origin);
    await emit(this.deps, () => createEvent('delete', { repository: name, digest }, origin, this.deps.source));
    return stored;
  }
}

export class NotifyingTags implements Tags {
  constructor(
    private readonly inner: Tags,
    private readonly deps: ListenerDeps,
  ) {}

  resolve(name: string, tag: string): Promise<string | undefined> {
    return this.inner.resolve(name, tag);
  }

  tag(name: string, tag: string, digest: string): Promise<void> {
    return this.inner.tag(name, tag, digest);
  }

  untagDigest(name: string, digest: string): Promise<string[]> {
    return this.inner.untagDigest(name, digest);
  }

  list(name: string): Promise<string[]> {
    return this.inner.list(name);
  }

  /** A tag delete (Distribution's TagDeleted): the target names the repository and the tag. */
  async untag(name: string, tag: string, origin?: ChangeOrigin): Promise<void> {
    await this.inner.untag(name, tag, origin);
    await emit(this.deps, () => createEvent('delete', { repository: name, tag }, origin, this.deps.source));
  }
}
