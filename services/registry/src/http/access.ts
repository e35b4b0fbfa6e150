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

export function requiredAccess(route: MatchedRoute, method: string): AccessRecord[] {
  if (route.id === 'base') return [];
  if (route.id === 'catalog') return [{ type: 'registry', name: 'catalog', actions: ['*'] }];
  const actions = repositoryActions[route.id]?.[method];
  if (!actions || route.name === undefined) return [];
  return [{ type: 'repository', name: route.name, actions }];
}

/**
 * A cross-repository mount also reads the source repository. That access is optional: without
 * it the mount is not attempted and an ordinary upload starts, as the spec's fallback allows.
 */
export function mountSourceAccess(route: MatchedRoute, method: string, query: Record<string, unknown>): AccessRecord | undefined {
  if (route.id !== 'upload' || method !== 'POST') return undefined;
  if (typeof query.mount !== 'string' || typeof query.from !== 'string') return undefined;
  return { type: 'repository', name: query.from, actions: ['pull'] };
}
