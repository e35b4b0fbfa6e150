// How large a notification event and an envelope of them can be, so that a registry never
// produces a batch its receiver (the index's POST /events) refuses for its size. Every string in
// an event is bounded by a grammar (repository name, tag, digest, media type, platform fields,
// all checked at push) or, for client-controlled free text, cut to eventTextLimits; the only
// part that grows with the manifest is target.references, bounded by the manifest's size.

/** Client-controlled free text, cut to this many UTF-16 code units in an event (README, Configuration). */
export const eventTextLimits = {
  /** request.useragent: the User-Agent header. */
  useragent: 256,
  /** request.id: the request id (X-Request-Id may come from the client). */
  requestId: 128,
  /** request.host: the Host header (a DNS name is at most 253 characters, then :port). A longer one also drops target.url. */
  host: 260,
  /** actor.name: the authenticated user. */
  actor: 256,
} as const;

/**
 * An upper bound of an event's JSON size apart from target.references: the bounded texts above
 * at six bytes a code unit (the longest JSON escape, \u0000), twice the host and repository (also
 * in target.url), the grammars' longest tag, digest and media type, and the fixed fields.
 */
export const maxEventBytesWithoutReferences = 16 * 1024;

/**
 * target.references re-serializes a subset of the manifest's descriptors: every string is at most
 * as long as the manifest wrote it and only `size` can grow (a minimal 1 written as 1e15: 12 more
 * bytes). A descriptor takes at least 90 bytes of the manifest, so references take at most
 * 102/90 of the manifest's bytes; 5/4 leaves a margin.
 */
export function maxEventBytes(maxManifestBytes: number): number {
  return maxEventBytesWithoutReferences + Math.ceil((maxManifestBytes * 5) / 4);
}

/**
 * The default byte budget of one envelope: what the registry posts at most
 * (notifications.maxBatchBytes) and what the index's POST /events accepts (events.maxBodyBytes).
 * It holds one event of the largest manifest at the default limit of 4 MiB.
 */
export const defaultEventBatchBytes = 8 * 1024 * 1024;

/** The JSON size of an envelope holding these serialized events: {"events":[a,b,...]}. */
export function envelopeBytes(eventBytes: readonly number[]): number {
  return '{"events":[]}'.length + eventBytes.reduce((sum, n) => sum + n, 0) + Math.max(0, eventBytes.length - 1);
}

/** Cuts free text to a bound (documented per field in eventTextLimits). */
export function boundedText(value: string, limit: number): string {
  return value.length <= limit ? value : value.slice(0, limit);
}
