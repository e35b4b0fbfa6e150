// Search across the chain: this index's results (exactly what a search without an upstream gives,
// permissions by grant.ts) followed by the upstream index's results for the same query and page.
// Every result says where it comes from (`source`); an upstream result whose namespace is local
// here is dropped, since through this chain that name is the local repository. An upstream that
// is down or answers nonsense costs its results only: the local ones come with
// `upstream.status: "unavailable"` and the reason.
import type { IndexStore } from '../db/store.js';
import { namespaceOf, type Principal } from '../permissions/grant.js';
import { searchRepositories, type SearchPage, type SearchQuery, type SearchResult } from '../search/search.js';
import type { UpstreamIndex } from './upstream-index.js';

export type SourcedResult = SearchResult & { source: 'local' | 'upstream' };

export interface FederatedPage extends Omit<SearchPage, 'results'> {
  results: SourcedResult[];
  upstream: { url: string; status: 'ok' | 'unavailable'; message?: string };
}

/** An upstream result with the v1 fields, whatever the upstream sent. */
function upstreamResult(raw: Record<string, unknown>): SourcedResult {
  return {
    name: String(raw.name),
    description: typeof raw.description === 'string' ? raw.description : '',
    star_count: typeof raw.star_count === 'number' ? raw.star_count : 0,
    is_official: false,
    is_automated: false,
    is_trusted: false,
    last_push: typeof raw.last_push === 'string' ? raw.last_push : null,
    source: 'upstream',
  };
}

export async function federatedSearch(store: IndexStore, principal: Principal, query: SearchQuery, upstream: UpstreamIndex): Promise<FederatedPage> {
  const local = searchRepositories(store, principal, query);
  const results: SourcedResult[] = local.results.map((r) => ({ ...r, source: 'local' }));
  let remote: SearchPage;
  try {
    remote = await upstream.search(query);
    if (!Array.isArray(remote.results)) throw new Error('the upstream search answer has no results list');
  } catch (err) {
    return { ...local, results, upstream: { url: upstream.url, status: 'unavailable', message: (err as Error).message } };
  }
  const foreign = remote.results
    .filter((r): r is SearchResult => !!r && typeof r === 'object' && typeof (r as { name?: unknown }).name === 'string')
    .filter((r) => !store.namespaces.byName(namespaceOf(r.name)))
    .map((r) => upstreamResult(r as unknown as Record<string, unknown>));
  const remoteTotal = typeof remote.num_results === 'number' ? remote.num_results : foreign.length;
  const remotePages = typeof remote.num_pages === 'number' ? remote.num_pages : 1;
  return {
    ...local,
    num_results: local.num_results + remoteTotal,
    num_pages: Math.max(local.num_pages, remotePages),
    results: [...results, ...foreign],
    upstream: { url: upstream.url, status: 'ok' },
  };
}
