// One POST of a Distribution envelope to an endpoint (as Distribution's notifications/http.go):
// the events media type, the configured headers, a timeout, and any 2xx or 3xx counts as taken.
import { mediaTypes, type Event } from '@wharf/shared';

export interface SendOptions {
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

/** Posts `{events}`; resolves undefined when the endpoint took it, else what went wrong. */
export async function sendEnvelope(options: SendOptions, events: readonly Event[]): Promise<string | undefined> {
  try {
    const response = await fetch(options.url, {
      method: 'POST',
      headers: { ...options.headers, 'Content-Type': mediaTypes.events },
      body: JSON.stringify({ events }),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    await response.body?.cancel();
    // notifications.md, "Responses": any 2xx or 3xx (after redirects) means delivered.
    return response.status >= 200 && response.status < 400 ? undefined : `HTTP ${response.status}`;
  } catch (err) {
    // fetch says only "fetch failed"; the cause names the refused connection or the timeout.
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return err instanceof Error ? `${err.message}${cause}` : String(err);
  }
}
