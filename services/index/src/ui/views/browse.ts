// Home and search: the search API's results (name, description, stars, official mark, last
// push), paginated; what the caller may not pull never appears (search.ts asks grant.ts).
import { html, type Html } from '../html.js';
import type { UiContext } from '../context.js';
import type { SearchPage, SearchResult } from '../../search/search.js';
import type { RepositorySummary } from '../../repositories/repositories.js';
import { markdownSummary } from '../markdown.js';
import { page } from './layout.js';
import { pager, repoUrl, when } from './format.js';

function resultItem(r: SearchResult): Html {
  return html`<li class="card repo">
<h3><a href="${repoUrl(r.name)}">${r.name}</a>${r.is_official ? html` <span class="badge official">Official</span>` : ''}</h3>
<p class="description">${markdownSummary(r.description) || html`<span class="muted">No description</span>`}</p>
<p class="meta"><span aria-label="${r.star_count} stars">★ ${r.star_count}</span> · last push ${when(r.last_push)}</p>
</li>`;
}

export function searchPage(ctx: UiContext, result: SearchPage, home: boolean): Html {
  const heading = home ? 'Repositories' : result.query ? `Search results for “${result.query}”` : 'All repositories';
  const params: Record<string, string> = result.query ? { q: result.query } : {};
  const body = html`<h1>${heading}</h1>
${home && !ctx.session ? html`<p class="lead">Find an image, read its tags and copy the pull command. <a href="/signup">Sign up</a> to push and star.</p>` : ''}
<form class="search-large" method="get" action="/search" role="search">
<label for="q">Search by name or description</label>
<div class="row"><input id="q" type="search" name="q" value="${result.query}" maxlength="255"><button type="submit">Search</button></div>
</form>
<h2 class="count">${result.num_results} ${result.num_results === 1 ? 'repository' : 'repositories'}</h2>
${result.results.length ? html`<ul class="cards">${result.results.map(resultItem)}</ul>` : html`<p>No repositories match.</p>`}
${pager(home ? '/' : '/search', params, result.page, result.num_pages)}`;
  // The page's own search box is the search here: the header's would repeat it.
  return page(ctx, { title: home ? 'Home' : 'Search', body, query: result.query, headerSearch: false });
}

export function repositoryList(repos: RepositorySummary[]): Html {
  if (!repos.length) return html`<p class="muted">No repositories yet.</p>`;
  return html`<ul class="cards">${repos.map(
    (r) => html`<li class="card repo">
<h3><a href="${repoUrl(r.name)}">${r.name}</a>${r.visibility === 'private' ? html` <span class="badge private">Private</span>` : ''}</h3>
<p class="description">${markdownSummary(r.description) || html`<span class="muted">No description</span>`}</p>
<p class="meta"><span aria-label="${r.starCount} stars">★ ${r.starCount}</span> · last push ${when(r.lastPush)}</p>
</li>`,
  )}</ul>`;
}
