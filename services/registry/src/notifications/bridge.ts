// Turns a change to a repository into a notification event (as Distribution's
// notifications/bridge.go): the target from the store's result, the request and actor from the
// origin the handler passed along, the source from this registry instance. Free text the client
// sends (User-Agent, Host, request id) is cut to eventTextLimits, so that an event's size is
// bounded (shared event-limits.ts) and no batch outgrows what the receiver accepts.
import { randomUUID } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { boundedText, eventTextLimits, type Event, type EventAction, type EventRequest, type EventTarget } from '@wharf/shared';
import type { ChangeOrigin } from '../storage/registry-storage.js';

export interface EventSource {
  /** host:port of this registry node. */
  addr: string;
  /** Changes on every start, so a receiver can tell restarts apart. */
  instanceID: string;
}

function requestRecord(origin: ChangeOrigin | undefined): EventRequest {
  const request = origin?.request;
  if (!request) return { id: '', addr: '', host: '', method: '', useragent: '' };
  const socket = request.socket as TLSSocket | null | undefined;
  const locals = request.res?.locals;
  const requestId = typeof locals?.requestId === 'string' ? locals.requestId : request.headers['x-request-id'];
  return {
    id: boundedText(typeof requestId === 'string' ? requestId : '', eventTextLimits.requestId),
    // Go's RemoteAddr form, as Distribution reports it.
    addr: socket?.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort ?? 0}` : '',
    host: boundedText(request.headers.host ?? '', eventTextLimits.host),
    method: request.method ?? '',
    useragent: boundedText(request.headers['user-agent'] ?? '', eventTextLimits.useragent),
  };
}

/** The manifest's URL as the client addressed this registry (notifications.md: target.url). */
export function manifestUrl(origin: ChangeOrigin | undefined, repository: string, digest: string): string | undefined {
  const request = origin?.request;
  const host = request?.headers.host;
  // A Host longer than any DNS name makes no URL worth reporting (and would unbound the event).
  if (!request || !host || host.length > eventTextLimits.host) return undefined;
  const scheme = (request.socket as TLSSocket | null | undefined)?.encrypted ? 'https' : 'http';
  return `${scheme}://${host}/v2/${repository}/manifests/${digest}`;
}

export function createEvent(action: EventAction, target: EventTarget, origin: ChangeOrigin | undefined, source: EventSource, now = new Date()): Event {
  return {
    id: randomUUID(),
    timestamp: now.toISOString(),
    action,
    target,
    request: requestRecord(origin),
    actor: origin?.user ? { name: boundedText(origin.user, eventTextLimits.actor) } : {},
    source: { ...source },
  };
}
