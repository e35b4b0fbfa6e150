// Accounts over the JSON API: sign up, the caller's own account, personal access tokens, and the
// site admin's view of all users.
import express, { type Router } from 'express';
import { createAccount, deleteAccount, updateAccount } from '../../accounts/accounts.js';
import { createAccessToken } from '../../accounts/access-tokens.js';
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

function requireAdmin(res: express.Response): User {
  const user = requireAccountOwner(res);
  if (!user.isAdmin) throw new IndexError('DENIED', { message: 'site admins only' });
  return user;
}

export function userRoutes({ config, store }: ApiDependencies): Router {
  const router = express.Router();
  const accountOptions = { bcryptCost: config.accounts.bcryptCost };

  router.post('/api/users', async (req, res) => {
    const caller = principalOf(res);
    const callerIsAdmin = caller.kind === 'user' && caller.user.isAdmin && !caller.accessToken;
    if (!config.accounts.signup && !callerIsAdmin) throw new IndexError('DENIED', { message: 'sign-up is closed; ask an admin' });
    const body = (req.body ?? {}) as Record<string, unknown>;
    const user = await createAccount(store, accountOptions, { username: body.username, email: body.email, password: body.password, isAdmin: callerIsAdmin && body.isAdmin === true });
    store.audit.record({ actor: caller.kind === 'user' ? caller.user.username : user.username, action: 'user.create', target: user.username, remote: req.ip ?? null });
    res.status(201).json(publicUser(user));
  });

  router.get('/api/user', (_req, res) => {
    res.json(publicUser(requireUser(res)));
  });

  router.patch('/api/user', async (req, res) => {
    const user = requireAccountOwner(res);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const changed = await updateAccount(store, accountOptions, user, { email: body.email, password: body.password });
    if (changed.includes('email')) store.audit.record({ actor: user.username, action: 'user.email', target: user.username, remote: req.ip ?? null });
    if (changed.includes('password')) store.audit.record({ actor: user.username, action: 'user.password', target: user.username, remote: req.ip ?? null });
    res.json(publicUser(store.users.byId(user.id)!));
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
    const { token, secret } = createAccessToken(store, user.id, { name: body.name, permission: body.permission, expiresAt: body.expiresAt });
    store.audit.record({ actor: user.username, action: 'token.create', target: token.name, detail: { permission: token.permission }, remote: req.ip ?? null });
    res.status(201).json({ ...publicToken(token), token: secret });
  });

  router.delete('/api/user/tokens/:id', (req, res) => {
    const user = requireAccountOwner(res);
    const token = store.tokens.accessTokenById(Number(req.params.id));
    if (!token || token.userId !== user.id) throw new IndexError('NOT_FOUND', { message: 'no such token' });
    store.tokens.revokeAccessToken(token.id);
    store.audit.record({ actor: user.username, action: 'token.revoke', target: token.name, remote: req.ip ?? null });
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
    const target = store.users.byName(String(req.params.username));
    if (!target) throw new IndexError('NOT_FOUND', { message: 'no such user' });
    const body = (req.body ?? {}) as Record<string, unknown>;
    for (const field of ['isAdmin', 'disabled'] as const) {
      if (body[field] !== undefined && typeof body[field] !== 'boolean') {
        throw new IndexError('INVALID_FIELD', { message: `${field} must be true or false`, detail: { field } });
      }
    }
    const fields = { isAdmin: body.isAdmin as boolean | undefined, disabled: body.disabled as boolean | undefined };
    store.transaction(() => {
      store.users.update(target.id, fields);
      if (fields.disabled === true) store.tokens.revokeRefreshTokens(target.id);
      // Only the checked fields: the body is the caller's and may carry anything (a password).
      store.audit.record({ actor: admin.username, action: 'user.update', target: target.username, detail: fields, remote: req.ip ?? null });
    });
    res.json(publicUser(store.users.byId(target.id)!));
  });

  router.delete('/api/users/:username', (req, res) => {
    const admin = requireAdmin(res);
    const target = store.users.byName(String(req.params.username));
    if (!target) throw new IndexError('NOT_FOUND', { message: 'no such user' });
    deleteAccount(store, target);
    store.audit.record({ actor: admin.username, action: 'user.delete', target: target.username, remote: req.ip ?? null });
    res.status(204).end();
  });

  return router;
}
