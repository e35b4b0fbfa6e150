// The one table of what each route and method needs: the access records the auth controller is
// asked for (token spec scope.md). Pushing implies pulling, as docker asks for both.
import type { AccessRecord } from '@wharf/shared';
import type { MatchedRoute } from './route-table.js';

const repositoryActions: Record<string, Partial<Record<string, string[]>>> = {
  tags: { GET: ['pull'] },
  manifest: { GET: ['pull'], HEAD: ['pull'], PUT: ['pull', 'push'], DELETE: ['delete'] },
  blob: { GET: ['pull'], HEAD: ['pull'], DELETE: ['delete'] },
  upload: { POST: ['pull', 'push'] },
  'upload-chunk': { GET: ['pull', 'push'], PATCH: ['pull', 'push'], PUT: ['pull', 'push'], DELETE: ['pull', 'push'] },
  referrers: { GET: ['pull'] },
};

export function requiredAccess(route: MatchedRoute, method: string, query: Record<string, unknown>): AccessRecord[] {
  if (route.id === 'base') return [];
  if (route.id === 'catalog') return [{ type: 'registry', name: 'catalog', actions: ['*'] }];
  const actions = repositoryActions[route.id]?.[method];
  if (!actions || route.name === undefined) return [];
  const records: AccessRecord[] = [{ type: 'repository', name: route.name, actions }];
  // A cross-repository mount reads the source repository.
  if (route.id === 'upload' && typeof query.mount === 'string' && typeof query.from === 'string' && query.from !== route.name) {
    records.push({ type: 'repository', name: query.from, actions: ['pull'] });
  }
  return records;
}
