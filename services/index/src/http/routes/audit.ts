// GET /api/audit?actor=&action=&target=&limit=&before=: the audit log, newest first, for site
// admins signed in with their password. `before` is an entry id: pass the last id of a page to
// get the next one.
import express, { type Router } from 'express';
import type { AuditFilter } from '../../db/audit.js';
import { IndexError } from '../errors.js';
import { requireAccountOwner } from '../middleware/authenticate.js';
import type { ApiDependencies } from './api.js';

const maxLimit = 1000;

function invalid(field: string, message: string): IndexError {
  return new IndexError('INVALID_FIELD', { message, detail: { field } });
}

function wholeNumber(value: unknown, field: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= max)) throw invalid(field, `${field} must be a whole number from 1 to ${max}`);
  return n;
}

/** The filter from the query string; repeated or nested parameters are INVALID_FIELD. */
export function parseAuditFilter(query: Record<string, unknown>): AuditFilter {
  const filter: AuditFilter = {};
  for (const key of ['actor', 'action', 'target'] as const) {
    const value = query[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw invalid(key, `${key} must be given once`);
    filter[key] = value;
  }
  const limit = wholeNumber(query.limit, 'limit', maxLimit);
  const before = wholeNumber(query.before, 'before', Number.MAX_SAFE_INTEGER);
  if (limit !== undefined) filter.limit = limit;
  if (before !== undefined) filter.beforeId = before;
  return filter;
}

export function auditRoutes({ store }: ApiDependencies): Router {
  const router = express.Router();
  router.get('/api/audit', (req, res) => {
    const user = requireAccountOwner(res);
    if (!user.isAdmin) throw new IndexError('DENIED', { message: 'site admins only' });
    res.json({ entries: store.audit.query(parseAuditFilter(req.query as Record<string, unknown>)) });
  });
  return router;
}
