// A repository this index does not know, in no local namespace, is looked up at the upstream
// index; the answer says so (`source: "upstream"`) and carries what the chained registry cached
// of it (`cached`: the tags and checksums its fill events reported). Who may look is grant.ts's
// proxied-pull rule. With the upstream down, or not showing the name, the cached records alone
// answer, flagged in `upstream.status`.
import { IndexError } from '../http/errors.js';
import type { IndexStore } from '../db/store.js';
import { allowedActions, type GrantRules, type Principal } from '../permissions/grant.js';
import type { UpstreamIndex } from './upstream-index.js';

export async function lookupUpstreamRepository(store: IndexStore, principal: Principal, name: string, upstream: UpstreamIndex, rules: GrantRules): Promise<Record<string, unknown>> {
  const notFound = new IndexError('NOT_FOUND', { message: `no such repository: ${name}`, detail: { repository: name } });
  if (!allowedActions(store, principal, name, rules).has('pull')) throw notFound;
  const cached = { tags: store.upstreamCache.tags(name), manifests: store.upstreamCache.manifests(name) };
  try {
    const view = await upstream.repository(name);
    if (view) return { ...view, name, source: 'upstream', upstream: { url: upstream.url, status: 'ok' }, cached };
    // Not shown to this index's upstream account, or named differently there (a registry
    // upstream with stripPrefix, reached with its own credentials): what the registry holds of
    // it, which the caller may pull, is still this index's to show.
    if (cached.manifests.length === 0) throw notFound;
    return { name, source: 'upstream', upstream: { url: upstream.url, status: 'not-shown' }, cached };
  } catch (err) {
    if (err === notFound) throw err;
    if (cached.manifests.length === 0) {
      throw new IndexError('UNAVAILABLE', { message: `${name} is not known here and the upstream index cannot be asked: ${(err as Error).message}`, detail: { repository: name } });
    }
    return { name, source: 'upstream', upstream: { url: upstream.url, status: 'unavailable', message: (err as Error).message }, cached };
  }
}
