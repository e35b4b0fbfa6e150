// POST /events: the registry's notifications (docker-registry-v2/notifications.md). Mounted before
// the JSON API's Basic authentication, since the registry authenticates with the shared secret.
// Events the index does not record are still answered 200, so the registry does not retry them.
import express, { type RequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import { serviceUrl } from '@wharf/common';
import { baseMediaType, EnvelopeError, eventsMediaTypes, parseEnvelope, type Envelope } from '@wharf/shared';
import { receiveEnvelope } from '../../events/receive.js';
import { authorizeRegistry } from '../../events/registry-secret.js';
import { IndexError } from '../errors.js';
import type { ApiDependencies } from './api.js';

const acceptedTypes = [...eventsMediaTypes, 'application/json'];

/** The raw body, with body-parser's own errors (too large, aborted) in the index's envelope. */
function readBody(limit: number): RequestHandler {
  const raw = express.raw({ type: () => true, limit });
  return (req, res, next) =>
    raw(req, res, (err?: unknown) => next(err ? new IndexError('INVALID_REQUEST', { message: `unreadable body: ${(err as Error).message}` }) : undefined));
}

function envelopeOf(body: unknown): Envelope {
  try {
    return parseEnvelope(JSON.parse(Buffer.isBuffer(body) ? body.toString('utf8') : ''));
  } catch (err) {
    const problem = err instanceof EnvelopeError ? err.message : 'the body is not JSON';
    throw new IndexError('INVALID_REQUEST', { message: `malformed event envelope: ${problem}` });
  }
}

export function eventRoutes({ config, store }: ApiDependencies): Router {
  const router = express.Router();
  const options = {
    defaultVisibility: config.repositories.defaultVisibility,
    baseUrl: serviceUrl(config.http),
    webhookQueue: config.webhooks,
    recordUpstreamCache: config.upstream !== undefined,
  };

  const authorize: RequestHandler = (req, _res, next) => {
    authorizeRegistry(config.events.secret, req.headers.authorization);
    const type = baseMediaType(req.headers['content-type']);
    if (!acceptedTypes.includes(type)) {
      throw new IndexError('INVALID_REQUEST', { message: `Content-Type must be one of ${acceptedTypes.join(', ')}`, detail: { contentType: type } });
    }
    next();
  };

  router.post('/events', authorize, readBody(config.events.maxBodyBytes), (req, res) => {
    const outcomes = receiveEnvelope(store, envelopeOf(req.body), options);
    const log = res.locals.log as Logger;
    for (const o of outcomes) {
      if (o.outcome === 'ignored') log.warn({ eventId: o.id, reason: o.reason }, 'registry event ignored');
      if (o.outcome === 'skipped') log.debug({ eventId: o.id, reason: o.reason }, 'registry event skipped');
    }
    res.json({ events: outcomes });
  });

  return router;
}
