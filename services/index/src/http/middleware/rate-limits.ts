// Rate limits on the endpoints that check passwords (express-rate-limit): every request counts
// against its client address; failed logins also count against (account, address), so guessing
// alice's password from one address cannot lock alice out at hers. 429 carries Retry-After and
// the RateLimit-* headers.
import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import { durationMs, parseBasicAuth } from '@wharf/shared';
import type { IndexConfig } from '../../config/schema.js';
import { IndexError } from '../errors.js';

/** The account a request tries to log in as: Basic user, or the form/JSON username. */
function accountOf(req: Request): string {
  const basic = parseBasicAuth(req.headers.authorization);
  if (basic) return basic.user;
  const body = req.body as Record<string, unknown> | undefined;
  return typeof body?.username === 'string' ? body.username : '';
}

function address(req: Request): string {
  return ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown');
}

export type RateLimitName = 'perAddress' | 'failedPerAccount';

/** `onLimited` is told which limit refused a request (metrics). */
export function loginRateLimits(config: IndexConfig['rateLimit'], onLimited?: (limit: RateLimitName) => void): RequestHandler[] {
  const windowMs = durationMs(config.window);
  const common = (limit: RateLimitName) => ({
    windowMs,
    standardHeaders: 'draft-6' as const,
    legacyHeaders: false,
    handler: () => {
      onLimited?.(limit);
      throw new IndexError('TOOMANYREQUESTS', { message: 'too many requests; retry later' });
    },
  });
  const perAddress = rateLimit({ ...common('perAddress'), limit: config.perAddress, keyGenerator: address });
  const failedPerAccount = rateLimit({
    ...common('failedPerAccount'),
    limit: config.failedPerAccount,
    skipSuccessfulRequests: true,
    // Only a rejected password is a failed login; a 404 or 403 after a good one is not.
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    // Anonymous requests name no account; only credentialed attempts count here.
    skip: (req) => accountOf(req) === '',
    // The account as a digest: the name is client text (a form or JSON body of up to 1 MB), and
    // each key stays in memory for the window.
    keyGenerator: (req) => `${createHash('sha256').update(accountOf(req)).digest('base64url')}\0${address(req)}`,
  });
  return [perAddress, failedPerAccount];
}

/** The same limits, applied only to the requests `applies` picks. */
export function limitsWhen(applies: (req: Request) => boolean, limits: RequestHandler[]): RequestHandler[] {
  return limits.map((limit): RequestHandler => (req, res, next) => (applies(req) ? limit(req, res, next) : next()));
}
