// One POST of a Distribution envelope to an endpoint (as Distribution's notifications/http.go):
// the events media type, the configured headers, a timeout, and any 2xx or 3xx counts as taken;
// which refusals are for good (the batch goes to dead-letter/) and which are retried.
import { mediaTypes, type Event } from '@wharf/shared';

export interface SendOptions {
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

/** Why a POST failed: the HTTP status when the endpoint answered. */
export interface SendFailure {
  status?: number;
  problem: string;
}

/**
 * Statuses that refuse this batch for good: a 4xx, except a request timeout or rate limit (408,
 * 429: try again later) and the answers that mean the endpoint or its credentials are
 * misconfigured (401, 403, 404, 405), which no batch can pass and fixing the config cures; those
 * are retried like a 5xx, so a misconfiguration does not empty the queue into dead-letter/.
 */
const retriedClientErrors = new Set([401, 403, 404, 405, 408, 429]);

export function isPermanentRefusal(failure: SendFailure): boolean {
  const { status } = failure;
  return status !== undefined && status >= 400 && status < 500 && !retriedClientErrors.has(status);
}

/** Posts the envelope body; resolves undefined when the endpoint took it, else what went wrong. */
export async function sendEnvelope(options: SendOptions, body: string): Promise<SendFailure | undefined> {
  try {
    const response = await fetch(options.url, {
      method: 'POST',
      headers: { ...options.headers, 'Content-Type': mediaTypes.events },
      body,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    await response.body?.cancel();
    // notifications.md, "Responses": any 2xx or 3xx (after redirects) means delivered.
    return response.status >= 200 && response.status < 400 ? undefined : { status: response.status, problem: `HTTP ${response.status}` };
  } catch (err) {
    // fetch says only "fetch failed"; the cause names the refused connection or the timeout.
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return { problem: err instanceof Error ? `${err.message}${cause}` : String(err) };
  }
}

/** The envelope `{"events":[...]}` of these events, as posted. */
export function envelopeBody(events: readonly Event[]): string {
  return JSON.stringify({ events });
}
