// Which events an endpoint does not want (Distribution's `ignoredmediatypes` and `ignore:
// {mediatypes, actions}`): matched before an event is queued, so an ignored event costs nothing.
import type { Event } from '@wharf/shared';
import type { NotificationEndpointConfig } from '../config/schema.js';

export type EventFilter = (event: Event) => boolean;

/** True for the events the endpoint should get. */
export function eventFilter(endpoint: Pick<NotificationEndpointConfig, 'ignoredMediaTypes' | 'ignore'>): EventFilter {
  const mediaTypes = new Set([...endpoint.ignoredMediaTypes, ...endpoint.ignore.mediaTypes]);
  const actions = new Set<string>(endpoint.ignore.actions);
  // A delete's target has no media type (notifications.md), so only its action can exclude it.
  return (event) => !actions.has(event.action) && !(event.target.mediaType !== undefined && mediaTypes.has(event.target.mediaType));
}
