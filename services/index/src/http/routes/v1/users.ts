// v1 accounts: POST /v1/users/ (sign-up, and the first half of `docker login`), GET /v1/users/
// (the login check), PUT /v1/users/<u>/ (email and password). Logic in v1/users.ts.
import express, { type Response, type Router } from 'express';
import { identifyCaller, requirePassword } from '../../../v1/callers.js';
import { signUp, signUpConflict, updateUser } from '../../../v1/users.js';
import type { V1Dependencies } from './router.js';

/** Docker 1.x compares this body byte for byte before it tries the credentials (auth.go). */
function nameTaken(res: Response): void {
  res.status(400).json('Username or email already exists');
}

export function v1UserRoutes({ config, store, passwordLimits }: V1Dependencies): Router {
  const router = express.Router();

  router.post(
    '/v1/users/',
    // An existing name answers at once: every `docker login` lands here first, and counting
    // those answers as failed logins would lock busy accounts out.
    (req, res, next) => (signUpConflict(store, req.body) ? nameTaken(res) : next()),
    // Creating an account costs a bcrypt hash: that part is rate limited like a login.
    ...passwordLimits,
    async (req, res) => {
      if ((await signUp(store, config, req.body, req.ip ?? null)) === 'exists') return nameTaken(res);
      res.status(201).json('User Created');
    },
  );

  router.get('/v1/users/', async (req, res) => {
    requirePassword(await identifyCaller(store, req.headers.authorization, req.ip ?? null));
    res.json('OK');
  });

  router.put('/v1/users/:username/', async (req, res) => {
    const principal = requirePassword(await identifyCaller(store, req.headers.authorization, req.ip ?? null));
    await updateUser(store, config, principal, String(req.params.username), req.body, req.ip ?? null);
    res.status(204).end();
  });

  return router;
}
