// Site admin: users (disable, make admin — accounts/admin.ts, as the JSON API) and the audit log
// (the API's filter parser and query).
import express, { type Router } from 'express';
import { adminUpdateUser } from '../../accounts/admin.js';
import { parseAuditFilter } from '../../http/routes/audit.js';
import { contextOf, siteAdmin } from '../context.js';
import { formAction, sendPage } from '../respond.js';
import { adminUsersPage, auditPage } from '../views/admin.js';
import { pageParam } from '../views/format.js';
import type { UiDependencies } from '../router.js';

const usersPerPage = 50;
const entriesPerPage = 100;

export function adminRoutes({ store, sessions }: UiDependencies): Router {
  const router = express.Router();

  router.get('/admin', (req, res) => {
    const me = siteAdmin(res);
    const total = store.users.count();
    const pages = Math.max(1, Math.ceil(total / usersPerPage));
    const current = Math.min(pageParam(req.query.page), pages);
    sendPage(res, adminUsersPage(contextOf(res), me, store.users.list(usersPerPage, (current - 1) * usersPerPage), total, current, pages));
  });

  router.post('/admin/users/:username', formAction(sessions, () => '/admin', (req, res) => {
    const admin = siteAdmin(res);
    const body = req.body as Record<string, unknown>;
    const flag = (key: string) => (body[key] === 'true' ? true : body[key] === 'false' ? false : undefined);
    const user = adminUpdateUser(store, admin, String(req.params.username), { isAdmin: flag('isAdmin'), disabled: flag('disabled') }, req.ip ?? null);
    return `${user.username}: ${user.disabled ? 'disabled' : 'enabled'}, ${user.isAdmin ? 'admin' : 'not admin'}.`;
  }));

  router.get('/admin/audit', (req, res) => {
    siteAdmin(res);
    // Empty filter boxes mean "any".
    const query = Object.fromEntries(Object.entries(req.query).filter(([, v]) => v !== ''));
    const filter = parseAuditFilter({ ...query, limit: String(entriesPerPage) });
    const entries = store.audit.query(filter);
    sendPage(res, auditPage(contextOf(res), filter, entries, entries.length === entriesPerPage ? entries.at(-1)!.id : undefined));
  });

  return router;
}
