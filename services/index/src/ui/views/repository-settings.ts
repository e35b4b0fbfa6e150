// A repository's settings page: description, visibility, collaborators, webhooks with their
// recent deliveries, and the danger zone.
import { html, type Html } from '../html.js';
import { keptValue, type UiContext } from '../context.js';
import type { Repository, RepoPermission } from '../../db/repositories.js';
import type { Delivery, Webhook } from '../../db/webhooks.js';
import { page, postForm } from './layout.js';
import { repoUrl, when } from './format.js';

export interface RepositorySettingsData {
  repo: Repository;
  collaborators: { username: string; permission: RepoPermission }[];
  webhooks: { webhook: Webhook; deliveries: Delivery[] }[];
}

const permissions: RepoPermission[] = ['read', 'write', 'admin'];

/** A permission the user picked in a refused form, if it is one. */
function keptPermission(value: string | undefined): RepoPermission | undefined {
  return permissions.find((p) => p === value);
}

function permissionSelect(id: string, selected: RepoPermission = 'read'): Html {
  return html`<select id="${id}" name="permission">${permissions.map((p) => html`<option value="${p}"${p === selected ? html` selected` : ''}>${p}</option>`)}</select>`;
}

function collaboratorsSection(ctx: UiContext, base: string, data: RepositorySettingsData): Html {
  const rows = data.collaborators.map(
    (c, i) => html`<tr><th scope="row"><a href="/n/${c.username}">${c.username}</a></th>
<td>${postForm(ctx, `${base}/collaborators`, html`<input type="hidden" name="username" value="${c.username}">
<label for="perm-${i}" class="visually-hidden">Permission of ${c.username}</label>${permissionSelect(`perm-${i}`, c.permission)}
<button type="submit" class="secondary">Change</button>`, { class: 'inline' })}</td>
<td>${postForm(ctx, `${base}/collaborators/${c.username}/remove`, html`<button type="submit" class="link danger" aria-label="Remove ${c.username}">Remove</button>`, { class: 'inline', confirm: `Remove ${c.username}?` })}</td></tr>`,
  );
  return html`<section aria-labelledby="collab-h"><h2 id="collab-h">Collaborators</h2>
<p class="help">read: pull · write: pull and push · admin: also delete and manage settings.</p>
${rows.length ? html`<div class="table-wrap"><table><thead><tr><th scope="col">User</th><th scope="col">Permission</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead><tbody>${rows}</tbody></table></div>` : html`<p class="muted">No collaborators.</p>`}
${postForm(ctx, `${base}/collaborators`, html`<label for="collab-user">Username</label><input id="collab-user" name="username" required autocapitalize="none" value="${keptValue(ctx, `${base}/collaborators`, 'username') ?? ''}">
<label for="collab-perm">Permission</label>${permissionSelect('collab-perm', keptPermission(keptValue(ctx, `${base}/collaborators`, 'permission')))}
<button type="submit">Add collaborator</button>`, { class: 'row-form' })}</section>`;
}

function deliveryRow(ctx: UiContext, base: string, hook: Webhook, d: Delivery): Html {
  return html`<tr><th scope="row">#${d.id}</th><td><span class="badge ${d.status}">${d.status}</span></td><td>${d.attempts}</td>
<td>${d.responseStatus ?? '—'}${d.error ? html` <span class="muted">${d.error}</span>` : ''}</td><td>${when(d.createdAt)}</td>
<td>${postForm(ctx, `${base}/webhooks/${hook.id}/deliveries/${d.id}/redeliver`, html`<button type="submit" class="secondary" aria-label="Redeliver delivery ${d.id}">Redeliver</button>`, { class: 'inline' })}</td></tr>`;
}

function webhooksSection(ctx: UiContext, base: string, data: RepositorySettingsData): Html {
  const hooks = data.webhooks.map(
    ({ webhook, deliveries }) => html`<li class="card webhook"><h3><code>${webhook.url}</code></h3>
<p class="meta">Added ${when(webhook.createdAt)} · ${webhook.active ? 'active' : 'inactive'}</p>
${postForm(ctx, `${base}/webhooks/${webhook.id}/delete`, html`<button type="submit" class="link danger">Delete webhook</button>`, { class: 'inline', confirm: 'Delete this webhook?' })}
<h4>Recent deliveries</h4>
${deliveries.length ? html`<div class="table-wrap"><table class="deliveries"><thead><tr><th scope="col">Delivery</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Response</th><th scope="col">Created</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>${deliveries.map((d) => deliveryRow(ctx, base, webhook, d))}</tbody></table></div>` : html`<p class="muted">No deliveries yet: a push sends one.</p>`}
</li>`,
  );
  return html`<section aria-labelledby="hooks-h"><h2 id="hooks-h">Webhooks</h2>
<p class="help">Each push of a tag is POSTed as JSON to every webhook.</p>
${hooks.length ? html`<ul class="cards">${hooks}</ul>` : html`<p class="muted">No webhooks.</p>`}
${postForm(ctx, `${base}/webhooks`, html`<label for="hook-url">Payload URL</label><input id="hook-url" name="url" type="url" required placeholder="https://ci.example.com/hooks/wharf" value="${keptValue(ctx, `${base}/webhooks`, 'url') ?? ''}">
<button type="submit">Add webhook</button>`, { class: 'row-form' })}</section>`;
}

export function repositorySettingsPage(ctx: UiContext, data: RepositorySettingsData): Html {
  const { repo } = data;
  const base = `${repoUrl(repo.name)}/-/settings`;
  const body = html`<nav class="crumbs" aria-label="Breadcrumb"><a href="${repoUrl(repo.name)}">${repo.name}</a> /</nav>
<h1>Settings of ${repo.name}</h1>
<section aria-labelledby="desc-h"><h2 id="desc-h">Description</h2>
${postForm(ctx, `${base}/description`, html`<label for="description">Description (Markdown)</label>
<textarea id="description" name="description" rows="6" maxlength="2000">${keptValue(ctx, `${base}/description`, 'description') ?? repo.description}</textarea>
<button type="submit">Save description</button>`, { class: 'stack' })}</section>
<section aria-labelledby="vis-h"><h2 id="vis-h">Visibility</h2>
${postForm(ctx, `${base}/visibility`, html`<fieldset><legend>Who may pull</legend>
<label class="choice"><input type="radio" name="visibility" value="public"${repo.visibility === 'public' ? html` checked` : ''}> Public: anyone</label>
<label class="choice"><input type="radio" name="visibility" value="private"${repo.visibility === 'private' ? html` checked` : ''}> Private: only those given access</label>
</fieldset><button type="submit">Save visibility</button>`, { class: 'stack' })}</section>
${collaboratorsSection(ctx, base, data)}
${webhooksSection(ctx, base, data)}
<section class="danger-zone" aria-labelledby="delete-h"><h2 id="delete-h">Delete repository</h2>
<p>This removes the repository, its tags, stars, comments and webhooks from the index.</p>
${postForm(ctx, `${base}/delete`, html`<label for="confirm-name">Type <strong>${repo.name}</strong> to confirm</label>
<input id="confirm-name" name="confirm" required autocomplete="off" autocapitalize="none">
<button type="submit" class="danger">Delete ${repo.name}</button>`, { class: 'stack' })}</section>`;
  return page(ctx, { title: `Settings · ${repo.name}`, body });
}
