// Records what the registry reports (docs/architecture.md, "Checksums back to the index"): a manifest
// push creates the repository on first sight and records the manifest and its tag; a delete
// removes a manifest with its tags, or one tag. Each event counts once, by its id, and a whole
// envelope commits together, so a registry that retries after a failure records nothing twice.
import { isManifestMediaType, isTag, type Envelope, type Event } from '@wharf/shared';
import type { IndexStore } from '../db/store.js';
import type { Repository, Visibility } from '../db/repositories.js';
import { namespaceOf } from '../permissions/grant.js';
import { enqueuePushDeliveries } from '../webhooks/payload.js';
import type { QueueBudget } from '../webhooks/queue-budget.js';

export interface ReceiveOptions {
  /** Visibility of a repository created by its first push. */
  defaultVisibility: Visibility;
  /** The index's public URL, for webhook payloads. */
  baseUrl: string;
  /** How many webhook deliveries may be pending. */
  webhookQueue: QueueBudget;
  /**
   * With an upstream index chained: a push for a name in no local namespace is the registry's
   * cache fill of upstream content, recorded in the upstream cache tables (not ignored).
   */
  recordUpstreamCache?: boolean;
}

export type EventOutcome =
  | { id: string; outcome: 'recorded'; action: 'push' | 'delete'; repository: string }
  | { id: string; outcome: 'duplicate' }
  /** Not the index's business: pulls, mounts, blob pushes. */
  | { id: string; outcome: 'skipped'; reason: string }
  /** The index's business, but it cannot be recorded (e.g. the namespace is unknown here). */
  | { id: string; outcome: 'ignored'; reason: string };

const ignored = (event: Event, reason: string): EventOutcome => ({ id: event.id, outcome: 'ignored', reason });

/** Why an event carries nothing to record, or undefined when it does. */
function irrelevance(event: Event): string | undefined {
  const { target } = event;
  if (event.action === 'push') {
    // Distribution also reports blob pushes; only manifests are the index's business.
    if (!target.mediaType || !isManifestMediaType(target.mediaType)) return `not a manifest push (${target.mediaType ?? 'no media type'})`;
    if (!target.digest) return 'a push without a digest';
    if (target.tag !== undefined && !isTag(target.tag)) return `invalid tag ${JSON.stringify(target.tag)}`;
    return undefined;
  }
  if (event.action === 'delete') {
    if (!target.digest && !target.tag) return 'a delete naming neither a digest nor a tag';
    if (target.tag !== undefined && !isTag(target.tag)) return `invalid tag ${JSON.stringify(target.tag)}`;
    return undefined;
  }
  return `${event.action} events are not recorded`;
}

function recordPush(store: IndexStore, event: Event, options: ReceiveOptions): EventOutcome {
  const { target } = event;
  const digest = target.digest!;
  const namespace = store.namespaces.byName(namespaceOf(target.repository));
  if (!namespace && options.recordUpstreamCache) return recordCacheFill(store, event);
  if (!namespace) return ignored(event, `unknown namespace ${JSON.stringify(namespaceOf(target.repository))}`);
  const actor = event.actor.name ?? null;
  let repo: Repository | undefined = store.repositories.byName(target.repository);
  if (!repo) {
    repo = store.repositories.insert(namespace.id, target.repository, options.defaultVisibility);
    store.audit.record({ actor, action: 'repository.create', target: repo.name, detail: { visibility: repo.visibility, by: 'push' } });
  }
  const at = new Date(event.timestamp);
  store.images.recordManifest(repo.id, {
    digest,
    mediaType: target.mediaType!,
    size: target.size ?? target.length ?? 0,
    layers: (target.references ?? []).map((r) => r.digest),
    references: target.references ?? [],
    pushedBy: actor,
    pushedAt: at.toISOString(),
  });
  if (target.tag) store.images.setTag(repo.id, target.tag, digest, at.toISOString());
  store.repositories.touch(repo.id);
  store.audit.record({
    actor,
    action: 'push',
    target: target.tag ? `${repo.name}:${target.tag}` : `${repo.name}@${digest}`,
    detail: { digest, tag: target.tag ?? null, mediaType: target.mediaType, size: target.size ?? null, event: event.id },
    remote: event.request.addr || null,
  });
  if (target.tag) enqueuePushDeliveries(store, repo, { tag: target.tag, pusher: event.actor.name, at }, options.baseUrl, options.webhookQueue);
  return { id: event.id, outcome: 'recorded', action: 'push', repository: repo.name };
}

/** A cache fill: the checksums and the tag of upstream content the registry now holds. */
function recordCacheFill(store: IndexStore, event: Event): EventOutcome {
  const { target } = event;
  const at = new Date(event.timestamp).toISOString();
  store.upstreamCache.recordManifest(target.repository, {
    digest: target.digest!,
    mediaType: target.mediaType!,
    size: target.size ?? target.length ?? 0,
    layers: (target.references ?? []).map((r) => r.digest),
    cachedAt: at,
  });
  if (target.tag) store.upstreamCache.setTag(target.repository, target.tag, target.digest!, at);
  return { id: event.id, outcome: 'recorded', action: 'push', repository: target.repository };
}

function recordDelete(store: IndexStore, event: Event): EventOutcome {
  const { target } = event;
  const repo = store.repositories.byName(target.repository);
  if (!repo) return ignored(event, `unknown repository ${JSON.stringify(target.repository)}`);
  if (target.tag) {
    if (!store.images.removeTag(repo.id, target.tag)) return ignored(event, `unknown tag ${JSON.stringify(target.tag)}`);
  } else {
    // Distribution reports blob deletes in the same shape; a digest that is no recorded manifest is one.
    if (!store.images.manifest(repo.id, target.digest!)) return ignored(event, `not a recorded manifest ${target.digest}`);
    store.images.removeManifest(repo.id, target.digest!);
  }
  store.repositories.touch(repo.id);
  store.audit.record({
    actor: event.actor.name ?? null,
    action: 'delete',
    target: target.tag ? `${repo.name}:${target.tag}` : `${repo.name}@${target.digest}`,
    detail: { digest: target.digest ?? null, tag: target.tag ?? null, event: event.id },
    remote: event.request.addr || null,
  });
  return { id: event.id, outcome: 'recorded', action: 'delete', repository: repo.name };
}

function receiveEvent(store: IndexStore, event: Event, options: ReceiveOptions): EventOutcome {
  // Checked before marking the event seen: pulls and blob events would fill the table for nothing.
  const reason = irrelevance(event);
  if (reason) return { id: event.id, outcome: 'skipped', reason };
  if (!store.webhooks.markEventSeen(event.id)) return { id: event.id, outcome: 'duplicate' };
  return event.action === 'push' ? recordPush(store, event, options) : recordDelete(store, event);
}

/** Records an envelope's events in one transaction; returns what became of each. */
export function receiveEnvelope(store: IndexStore, envelope: Envelope, options: ReceiveOptions): EventOutcome[] {
  return store.transaction(() => envelope.events.map((event) => receiveEvent(store, event, options)));
}
