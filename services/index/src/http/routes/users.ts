// Accounts over the JSON API: sign up, the caller's own account, personal access tokens, and the
// site admin's view of all users.
import express, { type Router } from 'express';
import { deleteAccount } from '../../accounts/accounts.js';
import { adminDeleteUser, adminUpdateUser } from '../../accounts/admin.js';
import { changeOwnAccount, issueAccessToken, revokeOwnAccessToken, signUp } from '../../accounts/self-service.js';
import type { AccessToken } from '../../db/tokens.js';
import type { User } from '../../db/users.js';
import { IndexError } from '../errors.js';
import { principalOf, requireAccountOwner, requireUser } from '../middleware/authenticate.js';
import type { ApiDependencies } from './api.js';

export function publicUser(user: User) {
  return { username: user.username, email: user.email, isAdmin: user.isAdmin, disabled: user.disabled, createdAt: user.createdAt, lastLoginAt: user.lastLoginAt };
}

function publicToken(token: AccessToken) {
  return { id: token.id, name: token.name, permission: token.permission, createdAt: token.createdAt, expiresAt: token.expiresAt, lastUsedAt: token.lastUsedAt, revokedAt: token.revokedAt };
}

export function requireAdmin(res: express.Response): User {
  const user = requireAccountOwner(res);
  if (!user.isAdmin) throw new IndexError('DENIED', { message: 'site admins only' });
  return user;
}

export function userRoutes({ config, store }: ApiDependencies): Router {
  const router = express.Router();
  const accountOptions = { bcryptCost: config.accounts.bcryptCost, signup: config.accounts.signup };

  router.post('/api/users', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const input = { username: body.username, email: body.email, password: body.password, isAdmin: body.isAdmin };
    const user = await signUp(store, accountOptions, principalOf(res), input, req.ip ?? null);
    res.status(201).json(publicUser(user));
  });

  router.get('/api/user', (_req, res) => {
    res.json(publicUser(requireUser(res)));
  });

  router.patch('/api/user', async (req, res) => {
    const user = requireAccountOwner(res);
    const body = (req.body ?? {}) as Record<string, unknown>;
    res.json(publicUser(await changeOwnAccount(store, accountOptions, user, { email: body.email, password: body.password }, req.ip ?? null)));
  });

  router.delete('/api/user', (req, res) => {
    const user = requireAccountOwner(res);
    deleteAccount(store, user);
    store.audit.record({ actor: user.username, action: 'user.delete', target: user.username, remote: req.ip ?? null });
    res.status(204).end();
  });

  router.get('/api/user/tokens', (_req, res) => {
    const user = requireAccountOwner(res);
    res.json({ tokens: store.tokens.accessTokens(user.id).map(publicToken) });
  });

  router.post('/api/user/tokens', (req, res) => {
    const user = requireAccountOwner(res);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const { token, secret } = issueAccessToken(store, user, { name: body.name, permission: body.permission, expiresAt: body.expiresAt }, req.ip ?? null);
    res.status(201).json({ ...publicToken(token), token: secret });
  });

  router.delete('/api/user/tokens/:id', (req, res) => {
    const user = requireAccountOwner(res);
    revokeOwnAccessToken(store, user, req.params.id, req.ip ?? null);
    res.status(204).end();
  });

  router.get('/api/users', (req, res) => {
    requireAdmin(res);
    // Clamped below as well: SQLite reads a negative LIMIT as "no limit".
    const limit = Math.max(1, Math.min(Number(req.query.limit ?? 100) || 100, 1000));
    const offset = Math.max(Number(req.query.offset ?? 0) || 0, 0);
    res.json({ total: store.users.count(), users: store.users.list(limit, offset).map(publicUser) });
  });

  router.patch('/api/users/:username', (req, res) => {
    const admin = requireAdmin(res);
    const body = (req.body ?? {}) as Record<string, unknown>;
    res.json(publicUser(adminUpdateUser(store, admin, String(req.params.username), { isAdmin: body.isAdmin, disabled: body.disabled }, req.ip ?? null)));
  });

  router.delete('/api/users/:username', (req, res) => {
    adminDeleteUser(store, requireAdmin(res), String(req.params.username), req.ip ?? null);
    res.status(204).end();
  });

  return router;
}
