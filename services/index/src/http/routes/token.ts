// GET /token (token.md: Basic credentials or anonymous, scope may repeat, offline_token) and
// POST /token (oauth.md: grant_type=password|refresh_token, as `docker login` uses).
import express, { type Request, type Router } from 'express';
import { parseBasicAuth } from '@wharf/shared';
import { IndexError } from '../errors.js';
import type { TokenResponse, TokenService } from '../../tokens/token-service.js';

function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}

function one(value: unknown): string | undefined {
  return list(value)[0];
}

function body(response: TokenResponse) {
  const out: Record<string, unknown> = {
    token: response.token,
    access_token: response.token,
    expires_in: response.expiresIn,
    issued_at: response.issuedAt,
    scope: response.scope,
  };
  if (response.refreshToken) out.refresh_token = response.refreshToken;
  return out;
}

export function tokenRoutes(tokens: TokenService): Router {
  const router = express.Router();

  router.get('/token', async (req: Request, res) => {
    const header = req.headers.authorization;
    const basic = parseBasicAuth(header);
    if (header && !basic) throw new IndexError('UNAUTHORIZED', { message: 'only Basic credentials are accepted here' });
    const response = await tokens.request({
      service: one(req.query.service),
      scopes: list(req.query.scope),
      ...(basic ? { credentials: { username: basic.user, password: basic.password } } : {}),
      offline: one(req.query.offline_token) === 'true',
      clientId: one(req.query.client_id) ?? '',
      remote: req.ip,
    });
    res.set('Cache-Control', 'no-store').json(body(response));
  });

  // The form body is parsed before the rate limits (they read the username from it).
  router.post('/token', async (req: Request, res) => {
    const form = (req.body ?? {}) as Record<string, unknown>;
    const grantType = one(form.grant_type);
    const clientId = one(form.client_id);
    if (!clientId) throw new IndexError('INVALID_REQUEST', { message: 'client_id is required' });
    const common = {
      service: one(form.service),
      scopes: list(form.scope),
      offline: one(form.access_type) === 'offline',
      clientId,
      remote: req.ip,
    };
    let response: TokenResponse;
    if (grantType === 'password') {
      const username = one(form.username);
      const password = one(form.password);
      if (!username || password === undefined) throw new IndexError('INVALID_REQUEST', { message: 'username and password are required' });
      response = await tokens.request({ ...common, credentials: { username, password } });
    } else if (grantType === 'refresh_token') {
      const refreshToken = one(form.refresh_token);
      if (!refreshToken) throw new IndexError('INVALID_REQUEST', { message: 'refresh_token is required' });
      response = await tokens.request({ ...common, refreshToken });
    } else {
      throw new IndexError('INVALID_REQUEST', { message: 'grant_type must be password or refresh_token' });
    }
    res.set('Cache-Control', 'no-store').json(body(response));
  });

  return router;
}
