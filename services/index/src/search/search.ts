// Repository search with the v1 contract (GET /v1/search, as Docker Hub answers it): a
// case-insensitive substring of the name or the description, private repositories only for
// callers who may pull them (grant.ts decides), most-starred first, in pages.
import type { IndexStore } from '../db/store.js';
import { IndexError } from '../http/errors.js';
import { prepared } from '../db/open.js';
import { pullableClause, type PullableScope } from '../db/repositories.js';
import { pullScope, type Principal } from '../permissions/grant.js';

export const defaultPageSize = 25;
export const maxPageSize = 100;
const maxQueryLength = 255;

export interface SearchQuery {
  q: string;
  n: number;
  page: number;
}

export interface SearchResult {
  name: string;
  description: string;
  star_count: number;
  is_official: false;
  is_automated: false;
  is_trusted: false;
  last_push: string | null;
}

export interface SearchPage {
  num_pages: number;
  num_results: number;
  page_size: number;
  page: number;
  query: string;
  results: SearchResult[];
}

function positiveInteger(value: unknown, fallback: number, max: number, field: string): number {
  if (value === undefined || value === '') return fallback;
  const n = typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= max)) throw new IndexError('INVALID_FIELD', { message: `${field} must be a whole number from 1 to ${max}`, detail: { field } });
  return n;
}

/** Checks the raw query-string values; anything malformed is INVALID_FIELD naming the parameter. */
export function parseSearchQuery(raw: { q?: unknown; n?: unknown; page?: unknown }): SearchQuery {
  const q = raw.q ?? '';
  if (typeof q !== 'string' || q.length > maxQueryLength) {
    throw new IndexError('INVALID_FIELD', { message: `q must be one string of at most ${maxQueryLength} characters`, detail: { field: 'q' } });
  }
  return { q: q.trim(), ...parsePaging(raw) };
}

/** n (1 to 100) and page from the query string; INVALID_FIELD naming a malformed one. */
export function parsePaging(raw: { n?: unknown; page?: unknown }, defaultN = defaultPageSize): { n: number; page: number } {
  return { n: positiveInteger(raw.n, defaultN, maxPageSize, 'n'), page: positiveInteger(raw.page, 1, 1_000_000, 'page') };
}

/** A LIKE pattern matching q anywhere, with q's own % _ and \ taken literally. */
function containsPattern(q: string): string {
  return `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

interface MatchRow {
  name: string;
  description: string;
  star_count: number;
  id: number;
}

/** The WHERE clause and its parameters: q in the name or description, and what the principal may pull. */
function matching(q: string, scope: PullableScope): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (q !== '') {
    const pattern = containsPattern(q);
    clauses.push("(lower(r.name) LIKE ? ESCAPE '\\' OR lower(r.description) LIKE ? ESCAPE '\\')");
    params.push(pattern, pattern);
  }
  const pullable = pullableClause(scope);
  if (pullable.sql) {
    clauses.push(pullable.sql);
    params.push(...pullable.params);
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/**
 * One page of matches, counted, ordered and cut by SQLite: only the page's rows come into the
 * process, so a search (and the UI's home page) costs the same for 100 or 100,000 repositories.
 */
export function searchRepositories(store: IndexStore, principal: Principal, query: SearchQuery): SearchPage {
  const { where, params } = matching(query.q, pullScope(store, principal));
  const total = (prepared(store.db, `SELECT COUNT(*) AS count FROM repositories r ${where}`).get(...params) as { count: number }).count;
  const pageRows = prepared(
    store.db,
    `SELECT r.id, r.name, r.description, (SELECT COUNT(*) FROM stars s WHERE s.repository_id = r.id) AS star_count
     FROM repositories r ${where}
     ORDER BY star_count DESC, r.name LIMIT ? OFFSET ?`,
  ).all(...params, query.n, (query.page - 1) * query.n) as MatchRow[];
  return {
    num_pages: Math.ceil(total / query.n),
    num_results: total,
    page_size: query.n,
    page: query.page,
    query: query.q,
    results: pageRows.map((r) => ({
      name: r.name,
      description: r.description,
      star_count: r.star_count,
      is_official: false,
      is_automated: false,
      is_trusted: false,
      last_push: store.images.lastPush(r.id) ?? null,
    })),
  };
}
