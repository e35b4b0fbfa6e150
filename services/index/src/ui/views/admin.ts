// Site admin pages: every account (disable or enable, make or unmake admin) and the audit log
// with its filters.
import { html, type Html } from '../html.js';
import type { UiContext } from '../context.js';
import type { AuditEntry, AuditFilter } from '../../db/audit.js';
import type { User } from '../../db/users.js';
import { page, postForm } from './layout.js';
import { pager, when } from './format.js';

function adminNav(current: 'users' | 'audit'): Html {
  const link = (href: string, label: string, key: typeof current) => html`<a href="${href}"${current === key ? html` aria-current="page"` : ''}>${label}</a>`;
  return html`<nav class="tabs" aria-label="Administration">${link('/admin', 'Users', 'users')}${link('/admin/audit', 'Audit log', 'audit')}</nav>`;
}

function userRow(ctx: UiContext, me: User, u: User): Html {
  const toggle = (fieldName: 'isAdmin' | 'disabled', value: boolean, label: string) =>
    postForm(ctx, `/admin/users/${u.username}`, html`<input type="hidden" name="${fieldName}" value="${String(value)}"><button type="submit" class="secondary" aria-label="${label} ${u.username}">${label}</button>`, { class: 'inline' });
  const self = u.id === me.id;
  return html`<tr><th scope="row"><a href="/n/${u.username}">${u.username}</a></th><td>${u.email}</td>
<td>${u.isAdmin ? html`<span class="badge">admin</span>` : ''} ${u.disabled ? html`<span class="badge failed">disabled</span>` : ''}</td>
<td>${when(u.createdAt)}</td><td>${when(u.lastLoginAt)}</td>
<td>${self ? html`<span class="muted">you</span>` : html`${toggle('disabled', !u.disabled, u.disabled ? 'Enable' : 'Disable')} ${toggle('isAdmin', !u.isAdmin, u.isAdmin ? 'Remove admin' : 'Make admin')}`}</td></tr>`;
}

export function adminUsersPage(ctx: UiContext, me: User, users: User[], total: number, pageNumber: number, pages: number): Html {
  const body = html`<h1>Site administration</h1>${adminNav('users')}
<h2>Users (${total})</h2>
<div class="table-wrap"><table><thead><tr><th scope="col">User</th><th scope="col">Email</th><th scope="col">Flags</th><th scope="col">Created</th><th scope="col">Last login</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>${users.map((u) => userRow(ctx, me, u))}</tbody></table></div>
${pager('/admin', {}, pageNumber, pages)}`;
  return page(ctx, { title: 'Admin · users', body });
}

export function auditPage(ctx: UiContext, filter: AuditFilter, entries: AuditEntry[], nextBefore: number | undefined): Html {
  const params: Record<string, string> = {};
  for (const key of ['actor', 'action', 'target'] as const) if (filter[key]) params[key] = filter[key]!;
  const input = (key: 'actor' | 'action' | 'target', label: string) => html`<label for="audit-${key}">${label}</label><input id="audit-${key}" name="${key}" value="${filter[key] ?? ''}" autocapitalize="none">`;
  const body = html`<h1>Site administration</h1>${adminNav('audit')}
<h2>Audit log</h2>
<form method="get" action="/admin/audit" class="row-form">${input('actor', 'Actor')}${input('action', 'Action')}${input('target', 'Target')}<button type="submit">Filter</button></form>
${entries.length ? html`<div class="table-wrap"><table class="audit"><thead><tr><th scope="col">When</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Outcome</th><th scope="col">Detail</th><th scope="col">From</th></tr></thead>
<tbody>${entries.map((e) => html`<tr><td>${when(e.at)}</td><th scope="row">${e.actor ?? '—'}</th><td>${e.action}</td><td class="target">${e.target ?? '—'}</td><td>${e.outcome}</td><td class="detail">${Object.keys(e.detail).length ? html`<code>${JSON.stringify(e.detail)}</code>` : '—'}</td><td class="remote">${e.remote ?? '—'}</td></tr>`)}</tbody></table></div>` : html`<p class="muted">No entries match.</p>`}
${nextBefore ? html`<nav class="pager" aria-label="Pages"><a rel="next" href="/admin/audit?${new URLSearchParams({ ...params, before: String(nextBefore) }).toString()}">Older →</a></nav>` : ''}`;
  return page(ctx, { title: 'Admin · audit log', body });
}
