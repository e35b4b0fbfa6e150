// Repository search with the v1 contract (GET /v1/search, as Docker Hub answers it): a
// case-insensitive substring of the name or the description, private repositories only for
// callers who may pull them (grant.ts decides), most-starred first, in pages.
import type { IndexStore } from '../db/store.js';
import { IndexError } from '../http/errors.js';
import { pullFilter, type Principal } from '../permissions/grant.js';

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
  return { q: q.trim(), n: positiveInteger(raw.n, defaultPageSize, maxPageSize, 'n'), page: positiveInteger(raw.page, 1, 1_000_000, 'page') };
}

/** A LIKE pattern matching q anywhere, with q's own % _ and \ taken literally. */
function containsPattern(q: string): string {
  return `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

interface MatchRow {
  id: number;
  name: string;
  visibility: string;
  description: string;
  star_count: number;
}

export function searchRepositories(store: IndexStore, principal: Principal, query: SearchQuery): SearchPage {
  const pattern = containsPattern(query.q);
  // Anonymous callers can only ever see public repositories, so SQL can filter those; for a user,
  // every private match goes through grant.ts, the one place permission rules live.
  const onlyPublic = principal.kind === 'anonymous' ? "AND r.visibility = 'public'" : '';
  const rows = store.db
    .prepare(
      `SELECT r.id, r.name, r.visibility, r.description, (SELECT COUNT(*) FROM stars s WHERE s.repository_id = r.id) AS star_count
       FROM repositories r
       WHERE (lower(r.name) LIKE ? ESCAPE '\\' OR lower(r.description) LIKE ? ESCAPE '\\') ${onlyPublic}
       ORDER BY star_count DESC, r.name`,
    )
    .all(pattern, pattern) as MatchRow[];
  const visible = rows.filter(pullFilter(store, principal));
  const pageRows = visible.slice((query.page - 1) * query.n, query.page * query.n);
  return {
    num_pages: Math.ceil(visible.length / query.n),
    num_results: visible.length,
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
