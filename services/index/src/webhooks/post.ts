// One webhook POST, bounded so a hostile target holds nothing for long: the connection (DNS
// lookup included) must open within the connect timeout and the status must arrive within the
// total timeout. Only the status line and headers are read (headers capped in size); the body is
// never read and the connection is closed once the status is known, so a target cannot stream
// into the index. Redirects are not followed: a webhook must name its final URL, and a redirect
// must not steer the index's requests elsewhere.
import { request as httpRequest, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { guardedLookup, isForbiddenAddress } from './target-guard.js';

export interface PostOptions {
  connectTimeoutMs: number;
  timeoutMs: number;
  allowPrivateTargets: boolean;
}

export interface PostResult {
  ok: boolean;
  responseStatus: number | null;
  error: string | null;
}

/** Response headers larger than this fail the attempt (node's own default, stated so it stays). */
const maxHeaderBytes = 16 * 1024;

function describeFailure(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // Some errors carry the real reason (refused connection, timeout) as their cause.
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`.slice(0, 500);
}

function outcomeOf(status: number): PostResult {
  if (status >= 200 && status < 300) return { ok: true, responseStatus: status, error: null };
  const error = status >= 300 && status < 400 ? `HTTP ${status}: redirects are not followed` : `HTTP ${status}`;
  return { ok: false, responseStatus: status, error };
}

/** Arms the connect and total deadlines on a request; returns a function that disarms both. */
function armDeadlines(req: ClientRequest, options: PostOptions): () => void {
  const total = setTimeout(() => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
  const connect = setTimeout(() => req.destroy(new Error(`no connection within ${options.connectTimeoutMs} ms`)), options.connectTimeoutMs);
  req.once('socket', (socket) => {
    if (!socket.connecting) clearTimeout(connect);
    else socket.once('connect', () => clearTimeout(connect));
  });
  return () => {
    clearTimeout(total);
    clearTimeout(connect);
  };
}

export function postWebhook(url: string, body: string, headers: Record<string, string>, options: PostOptions, signal: AbortSignal): Promise<PostResult> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  // A literal address is connected to without any lookup, so it is checked here.
  const literal = target.hostname.replace(/^\[|\]$/g, '');
  if (!options.allowPrivateTargets && isIP(literal) && isForbiddenAddress(literal)) {
    return Promise.resolve({ ok: false, responseStatus: null, error: `${literal} is a private or local address; webhooks may not target it` });
  }
  return new Promise((resolve) => {
    const req = send(target, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'wharf-index-webhooks', ...headers },
      // Each attempt has its own connection, closed once the status is known.
      agent: false,
      maxHeaderSize: maxHeaderBytes,
      signal,
      ...(options.allowPrivateTargets ? {} : { lookup: guardedLookup }),
    });
    const disarm = armDeadlines(req, options);
    req.once('response', (response) => {
      disarm();
      response.destroy();
      resolve(outcomeOf(response.statusCode ?? 0));
    });
    req.on('error', (err) => {
      disarm();
      resolve({ ok: false, responseStatus: null, error: describeFailure(err) });
    });
    req.end(body);
  });
}
