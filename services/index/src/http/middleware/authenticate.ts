// Who is calling the JSON API: HTTP Basic with a password or a personal access token, or
// anonymous. Wrong credentials are 401, never silently anonymous.
import type { NextFunction, Request, Response } from 'express';
import { parseBasicAuth } from '@wharf/shared';
import { authenticate } from '../../accounts/accounts.js';
import type { IndexStore } from '../../db/store.js';
import type { User } from '../../db/users.js';
import { anonymous, type Principal } from '../../permissions/grant.js';
import { IndexError } from '../errors.js';

const challenge = { 'WWW-Authenticate': 'Basic realm="wharf"' };

export function authenticateCaller(store: IndexStore) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const basic = parseBasicAuth(req.headers.authorization);
    if (!basic) {
      if (req.headers.authorization) throw new IndexError('UNAUTHORIZED', { message: 'only Basic credentials are accepted', headers: challenge });
      res.locals.principal = anonymous;
      next();
      return;
    }
    const found = await authenticate(store, basic.user, basic.password);
    if (!found) throw new IndexError('UNAUTHORIZED', { message: 'invalid username or password', headers: challenge });
    res.locals.user = found.user.username;
    res.locals.principal = found.accessToken
      ? ({ kind: 'user', user: found.user, accessToken: found.accessToken } satisfies Principal)
      : ({ kind: 'user', user: found.user } satisfies Principal);
    next();
  };
}

export function principalOf(res: Response): Principal {
  return (res.locals.principal as Principal | undefined) ?? anonymous;
}

/** The signed-in user, or 401. */
export function requireUser(res: Response): User {
  const principal = principalOf(res);
  if (principal.kind !== 'user') throw new IndexError('UNAUTHORIZED', { message: 'sign in first', headers: challenge });
  return principal.user;
}

/** The signed-in user when they hold full rights (a password login, not a scoped access token). */
export function requireAccountOwner(res: Response): User {
  const principal = principalOf(res);
  const user = requireUser(res);
  if (principal.kind === 'user' && principal.accessToken) {
    throw new IndexError('DENIED', { message: 'account settings need your password, not an access token' });
  }
  return user;
}
