// Log in, sign up, log out, account settings and personal access tokens. Passwords are checked
// by accounts.authenticate (the API's check) behind the API's login rate limits; every change
// goes through accounts/self-service.ts, as the JSON API's do.
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { ApiError } from '@wharf/shared';
import { authenticate } from '../../accounts/accounts.js';
import { looksLikeAccessToken } from '../../accounts/access-tokens.js';
import { changeOwnAccount, issueAccessToken, revokeOwnAccessToken, signUp } from '../../accounts/self-service.js';
import type { AccessToken } from '../../db/tokens.js';
import { IndexError } from '../../http/errors.js';
import { contextOf, signedInUser, type UiContext } from '../context.js';
import { seal, unseal } from '../sealed.js';
import { formAction, formField, safeNext, sendPage } from '../respond.js';
import { loginPage, signupPage } from '../views/account.js';
import { settingsPage, tokensPage } from '../views/settings.js';
import type { UiDependencies } from '../router.js';

const field = (req: Request, name: string) => formField(req, name);

/** The token just created (its secret unsealed from the notice), if this page follows its creation. */
function createdToken(ctx: UiContext, tokens: AccessToken[]): { name: string; secret: string } | undefined {
  const sealed = ctx.notice?.sealed;
  const opened = ctx.session && typeof sealed === 'string' ? unseal(ctx.session.sealingKey, sealed) : undefined;
  if (!opened) return undefined;
  const { id, secret } = JSON.parse(opened) as { id: number; secret: string };
  const token = tokens.find((t) => t.id === id);
  return token && { name: token.name, secret };
}

export function accountRoutes({ config, store, sessions, passwordLimits }: UiDependencies): Router {
  const router = express.Router();
  const accountOptions = { bcryptCost: config.accounts.bcryptCost, signup: config.accounts.signup };

  router.get('/login', (req, res) => {
    const ctx = contextOf(res);
    if (ctx.session) return void res.redirect(303, safeNext(req.query.next));
    sendPage(res, loginPage(ctx, safeNext(req.query.next)));
  });

  router.post('/login', ...passwordLimits, async (req: Request, res: Response) => {
    const ctx = contextOf(res);
    const username = field(req, 'username');
    const password = field(req, 'password');
    const next = safeNext(field(req, 'next'));
    // A browser session is a password login: an access token's cap has no meaning for pages.
    const found = looksLikeAccessToken(password) ? undefined : await authenticate(store, username, password);
    if (!found) {
      store.audit.record({ actor: username || null, action: 'ui.login', target: username || null, outcome: 'denied', remote: req.ip ?? null });
      return void sendPage(res, loginPage(ctx, next, username, 'Wrong username or password.'), 401);
    }
    sessions.start(req, res, found.user, ctx.session);
    store.users.update(found.user.id, { lastLoginAt: new Date().toISOString() });
    store.audit.record({ actor: found.user.username, action: 'ui.login', target: found.user.username, remote: req.ip ?? null });
    res.redirect(303, next);
  });

  router.post('/logout', (req, res) => {
    const { session } = contextOf(res);
    sessions.end(req, res, session);
    if (session) store.audit.record({ actor: session.user.username, action: 'ui.logout', target: session.user.username, remote: req.ip ?? null });
    res.redirect(303, '/');
  });

  router.get('/signup', (_req, res) => {
    sendPage(res, signupPage(contextOf(res), config.accounts.signup));
  });

  router.post('/signup', ...passwordLimits, async (req: Request, res: Response) => {
    const ctx = contextOf(res);
    const input = { username: field(req, 'username'), email: field(req, 'email'), password: field(req, 'password') };
    try {
      const user = await signUp(store, accountOptions, ctx.principal, input, req.ip ?? null);
      if (!ctx.session) sessions.start(req, res, user);
      res.redirect(303, ctx.session ? `/n/${user.username}` : '/settings/tokens');
    } catch (err) {
      if (!(err instanceof ApiError) || err.status >= 500) throw err;
      sendPage(res, signupPage(ctx, config.accounts.signup, input, err.message), err.status);
    }
  });

  router.get('/settings', (_req, res) => {
    sendPage(res, settingsPage(contextOf(res), signedInUser(res)));
  });

  router.post('/settings/email', formAction(sessions, () => '/settings', async (req, res) => {
    await changeOwnAccount(store, accountOptions, signedInUser(res), { email: field(req, 'email') }, req.ip ?? null);
    return 'Email changed.';
  }));

  const changePassword = formAction(sessions, () => '/settings', async (req, res) => {
    const user = signedInUser(res);
    if (field(req, 'password') !== field(req, 'confirm')) throw new IndexError('INVALID_FIELD', { message: 'the new passwords differ' });
    await changeOwnAccount(store, accountOptions, user, { password: field(req, 'password') }, req.ip ?? null);
    // The change ended every session of the account, this one too: start a fresh one.
    sessions.start(req, res, store.users.byId(user.id)!);
    return undefined;
  });
  // The rate limits key failed logins by the form's username: here it is the signed-in account's.
  const asSignedInAccount: RequestHandler = (req, res, next) => {
    req.body = { ...(req.body as Record<string, unknown> | undefined), username: signedInUser(res).username };
    next();
  };
  // The current password proves it is the owner at the keyboard, not a borrowed session; a wrong
  // one is a failed login (401) under the login limits, so a borrowed session cannot guess it.
  router.post('/settings/password', asSignedInAccount, ...passwordLimits, async (req: Request, res: Response) => {
    const user = signedInUser(res);
    if (await authenticate(store, user.username, field(req, 'current'))) return changePassword(req, res);
    store.audit.record({ actor: user.username, action: 'ui.password-check', target: user.username, outcome: 'denied', remote: req.ip ?? null });
    sendPage(res, settingsPage({ ...contextOf(res), notice: { kind: 'error', text: 'the current password is wrong' } }, user), 401);
  });

  router.get('/settings/tokens', (_req, res) => {
    const ctx = contextOf(res);
    const user = signedInUser(res);
    const tokens = store.tokens.accessTokens(user.id);
    sendPage(res, tokensPage(ctx, tokens, createdToken(ctx, tokens)));
  });

  // POST/redirect/GET: reloading the page shows the list, it does not create a second token.
  // The secret rides the one-shot notice to the GET, sealed for this browser, shown once there.
  router.post('/settings/tokens', formAction(sessions, () => '/settings/tokens', (req, res) => {
    const { session } = contextOf(res);
    const expires = field(req, 'expires');
    const input = { name: field(req, 'name'), permission: field(req, 'permission'), expiresAt: expires ? `${expires}T23:59:59Z` : undefined };
    const { token, secret } = issueAccessToken(store, signedInUser(res), input, req.ip ?? null);
    sessions.notify(session!, JSON.stringify({ kind: 'ok', text: 'Token created.', sealed: seal(session!.sealingKey, JSON.stringify({ id: token.id, secret })) }));
  }));

  router.post('/settings/tokens/:id/revoke', formAction(sessions, () => '/settings/tokens', (req, res) => {
    revokeOwnAccessToken(store, signedInUser(res), req.params.id, req.ip ?? null);
    return 'Token revoked.';
  }));

  return router;
}
