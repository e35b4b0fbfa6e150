// A namespace's page: a user's or an organization's repositories the caller may pull, and for an
// organization whatever of its members and teams the caller may see (orgs.ts renders that).
import { html, type Html, type Interpolation } from '../html.js';
import type { UiContext } from '../context.js';
import type { Namespace } from '../../db/namespaces.js';
import type { RepositorySummary } from '../../repositories/repositories.js';
import { repositoryList } from './browse.js';
import { pager } from './format.js';
import { page } from './layout.js';

/** One page of a namespace's repositories: `n` from page `page` of `total`. */
export interface RepositoryPage {
  repositories: RepositorySummary[];
  total: number;
  n: number;
  page: number;
}

export function namespacePage(ctx: UiContext, namespace: Namespace, repos: RepositoryPage, mayCreate: boolean, orgSection: Interpolation = ''): Html {
  const isOrg = namespace.kind === 'org';
  const body = html`<div class="title-row"><h1>${isOrg && namespace.displayName ? namespace.displayName : namespace.name}</h1>
<span class="badge">${isOrg ? 'Organization' : 'User'}</span>
${mayCreate ? html`<a class="button secondary" href="/new?namespace=${namespace.name}">New repository</a>` : ''}
${ctx.session?.user.username === namespace.name ? html`<a class="button secondary" href="/orgs/new">New organization</a>` : ''}</div>
${isOrg && namespace.displayName ? html`<p class="muted">${namespace.name}</p>` : ''}
<section aria-labelledby="repos-h"><h2 id="repos-h">Repositories</h2>${repositoryList(repos.repositories)}
${pager(`/n/${namespace.name}`, {}, repos.page, Math.ceil(repos.total / repos.n))}</section>
${orgSection}`;
  return page(ctx, { title: namespace.name, body });
}
