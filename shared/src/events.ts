// The notification envelope a registry sends to its endpoints (docker-registry-v2/notifications.md,
// "Events" and "Envelope"; the shape of Distribution's notifications/event.go), and one pure
// validator for receiving it. Fields Distribution marks omitempty are optional here.
import { isDigest } from './digest.js';
import { mediaTypes } from './media-types.js';
import { isRepositoryName } from './reference.js';

export const eventActions = ['push', 'pull', 'delete', 'mount'] as const;
export type EventAction = (typeof eventActions)[number];

/**
 * Envelope media types a receiver accepts: the one Wharf (and Distribution 2.x) sends, and the
 * "v2" that Distribution 3 sends for the same JSON (notifications.md, "Envelope").
 */
export const eventsMediaTypes: readonly string[] = [mediaTypes.events, 'application/vnd.docker.distribution.events.v2+json'];

/** A descriptor a manifest refers to: its config and layers, or an index's manifests. */
export interface EventReference {
  mediaType?: string;
  digest: string;
  size?: number;
  /** An index's child manifest: the platform it is for (Wharf sends it; Distribution does not). */
  platform?: { architecture: string; os: string; variant?: string };
}

export interface EventTarget {
  /** Set on push and pull; a delete carries only the repository and a digest or a tag. */
  mediaType?: string;
  size?: number;
  digest?: string;
  /** The same as size (notifications.md: kept for older receivers). */
  length?: number;
  repository: string;
  fromRepository?: string;
  url?: string;
  tag?: string;
  references?: EventReference[];
}

export interface EventRequest {
  id: string;
  addr: string;
  host: string;
  method: string;
  useragent: string;
}

export interface Event {
  id: string;
  /** RFC 3339, as Go's time.Time marshals. */
  timestamp: string;
  action: EventAction;
  target: EventTarget;
  request: EventRequest;
  /** Empty for an anonymous request (Distribution sends "actor": {}). */
  actor: { name?: string };
  source: { addr: string; instanceID: string };
}

export interface Envelope {
  events: Event[];
}

export class EnvelopeError extends Error {}

type Json = Record<string, unknown>;

function fail(where: string, problem: string): never {
  throw new EnvelopeError(`${where}: ${problem}`);
}

function object(value: unknown, where: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(where, 'must be an object');
  return value as Json;
}

function optionalObject(value: unknown, where: string): Json {
  return value === undefined || value === null ? {} : object(value, where);
}

function optionalString(json: Json, key: string, where: string): string | undefined {
  const value = json[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') fail(`${where}.${key}`, 'must be a string');
  return value;
}

function optionalSize(json: Json, key: string, where: string): number | undefined {
  const value = json[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail(`${where}.${key}`, 'must be a non-negative integer');
  return value;
}

function optionalDigest(json: Json, key: string, where: string): string | undefined {
  const value = optionalString(json, key, where);
  if (value !== undefined && !isDigest(value)) fail(`${where}.${key}`, `invalid digest ${JSON.stringify(value)}`);
  return value;
}

/** Distribution sends descriptors; a bare digest string is accepted too. */
function parseReference(value: unknown, where: string): EventReference {
  if (typeof value === 'string') {
    if (!isDigest(value)) fail(where, `invalid digest ${JSON.stringify(value)}`);
    return { digest: value };
  }
  const json = object(value, where);
  const digest = optionalDigest(json, 'digest', where);
  if (digest === undefined) fail(`${where}.digest`, 'is required');
  const reference: EventReference = { digest };
  const mediaType = optionalString(json, 'mediaType', where);
  const size = optionalSize(json, 'size', where);
  if (mediaType !== undefined) reference.mediaType = mediaType;
  if (size !== undefined) reference.size = size;
  const platform = parsePlatform(json.platform, `${where}.platform`);
  if (platform) reference.platform = platform;
  return reference;
}

/** An optional {architecture, os, variant?}; only those three fields are kept. */
function parsePlatform(value: unknown, where: string): EventReference['platform'] {
  if (value === undefined || value === null) return undefined;
  const json = object(value, where);
  const architecture = optionalString(json, 'architecture', where);
  const os = optionalString(json, 'os', where);
  if (!architecture || !os) fail(where, 'needs architecture and os');
  const variant = optionalString(json, 'variant', where);
  return variant ? { architecture, os, variant } : { architecture, os };
}

function parseTarget(value: unknown, where: string): EventTarget {
  const json = object(value, where);
  const repository = optionalString(json, 'repository', where);
  if (repository === undefined || !isRepositoryName(repository)) fail(`${where}.repository`, 'must be a repository name');
  const target: EventTarget = { repository };
  for (const key of ['mediaType', 'fromRepository', 'url', 'tag'] as const) {
    const text = optionalString(json, key, where);
    if (text !== undefined && text !== '') target[key] = text;
  }
  const digest = optionalDigest(json, 'digest', where);
  if (digest !== undefined) target.digest = digest;
  for (const key of ['size', 'length'] as const) {
    const size = optionalSize(json, key, where);
    if (size !== undefined) target[key] = size;
  }
  if (json.references !== undefined && json.references !== null) {
    if (!Array.isArray(json.references)) fail(`${where}.references`, 'must be an array');
    target.references = json.references.map((r, i) => parseReference(r, `${where}.references[${i}]`));
  }
  return target;
}

function parseEvent(value: unknown, where: string): Event {
  const json = object(value, where);
  const id = optionalString(json, 'id', where);
  if (!id) fail(`${where}.id`, 'is required');
  const timestamp = optionalString(json, 'timestamp', where);
  if (timestamp === undefined || Number.isNaN(Date.parse(timestamp))) fail(`${where}.timestamp`, 'must be a date-time');
  const action = optionalString(json, 'action', where);
  if (!eventActions.includes(action as EventAction)) fail(`${where}.action`, `must be one of ${eventActions.join(', ')}`);
  const request = optionalObject(json.request, `${where}.request`);
  const text = (from: Json, key: string, at: string) => optionalString(from, key, at) ?? '';
  const actor = optionalObject(json.actor, `${where}.actor`);
  const actorName = optionalString(actor, 'name', `${where}.actor`);
  const source = optionalObject(json.source, `${where}.source`);
  return {
    id,
    timestamp,
    action: action as EventAction,
    target: parseTarget(json.target, `${where}.target`),
    request: {
      id: text(request, 'id', `${where}.request`),
      addr: text(request, 'addr', `${where}.request`),
      host: text(request, 'host', `${where}.request`),
      method: text(request, 'method', `${where}.request`),
      useragent: text(request, 'useragent', `${where}.request`),
    },
    actor: actorName ? { name: actorName } : {},
    source: { addr: text(source, 'addr', `${where}.source`), instanceID: text(source, 'instanceID', `${where}.source`) },
  };
}

/**
 * Validates a parsed JSON envelope and returns it normalized (absent strings of request and
 * source become ''); throws EnvelopeError naming the first problem. `{}` is an empty envelope,
 * as Distribution's omitempty writes one.
 */
export function parseEnvelope(json: unknown): Envelope {
  const root = object(json, 'envelope');
  if (root.events === undefined || root.events === null) return { events: [] };
  if (!Array.isArray(root.events)) fail('envelope.events', 'must be an array');
  return { events: root.events.map((e, i) => parseEvent(e, `events[${i}]`)) };
}
