// Account settings (email, password) and personal access tokens (create with a name, permission
// and expiry — the secret shown once with a copy button — list, revoke).
import { html, type Html } from '../html.js';
import { keptValue, type UiContext } from '../context.js';
import type { AccessToken } from '../../db/tokens.js';
import type { User } from '../../db/users.js';
import { page, postForm } from './layout.js';
import { copyable } from './repository.js';
import { when } from './format.js';

const tokenPermissions = [
  ['read', 'read (pull)'],
  ['read-write', 'read-write (pull, push)'],
  ['read-write-delete', 'read-write-delete'],
] as const;

function settingsNav(current: 'account' | 'tokens'): Html {
  const link = (href: string, label: string, key: typeof current) => html`<a href="${href}"${current === key ? html` aria-current="page"` : ''}>${label}</a>`;
  return html`<nav class="tabs" aria-label="Settings">${link('/settings', 'Account', 'account')}${link('/settings/tokens', 'Access tokens', 'tokens')}</nav>`;
}

export function settingsPage(ctx: UiContext, user: User): Html {
  const body = html`<h1>Settings</h1>${settingsNav('account')}
<section aria-labelledby="email-h"><h2 id="email-h">Email</h2>
${postForm(ctx, '/settings/email', html`<label for="email">Email address</label>
<input id="email" name="email" type="email" autocomplete="email" required value="${user.email}">
<button type="submit">Save email</button>`, { class: 'stack' })}</section>
<section aria-labelledby="password-h"><h2 id="password-h">Password</h2>
<p class="help">Changing it signs you out everywhere else and ends logins made with the old one.</p>
${postForm(ctx, '/settings/password', html`<label for="current">Current password</label>
<input id="current" name="current" type="password" autocomplete="current-password" required>
<label for="new-password">New password</label>
<input id="new-password" name="password" type="password" autocomplete="new-password" required minlength="8">
<label for="confirm">New password again</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" required minlength="8">
<button type="submit">Change password</button>`, { class: 'stack' })}</section>`;
  return page(ctx, { title: 'Settings', body });
}

function tokenRow(ctx: UiContext, t: AccessToken): Html {
  const expired = t.expiresAt !== null && new Date(t.expiresAt) <= new Date();
  const state = t.revokedAt ? 'revoked' : expired ? 'expired' : 'active';
  return html`<tr>
<th scope="row">${t.name}</th><td>${t.permission}</td><td>${when(t.createdAt)}</td><td>${t.expiresAt ? when(t.expiresAt) : 'never'}</td>
<td>${when(t.lastUsedAt)}</td><td><span class="badge ${state}">${state}</span></td>
<td>${state === 'revoked' ? '' : postForm(ctx, `/settings/tokens/${t.id}/revoke`, html`<button type="submit" class="link danger" aria-label="Revoke token ${t.name}">Revoke</button>`, { class: 'inline', confirm: `Revoke the token ${t.name}?` })}</td>
</tr>`;
}

export function tokensPage(ctx: UiContext, tokens: AccessToken[], created?: { name: string; secret: string }): Html {
  const kept = (name: string) => keptValue(ctx, '/settings/tokens', name);
  const body = html`<h1>Access tokens</h1>${settingsNav('tokens')}
<p>Use a token as the password of <code>docker login</code>; its permission caps what it may do.</p>
${created ? html`<section class="created" aria-labelledby="created-h"><h2 id="created-h">Token “${created.name}” created</h2>
<p role="status">Copy it now: it is shown only once.</p>${copyable('new-token', 'Your new token', created.secret)}</section>` : ''}
<section aria-labelledby="new-token-h"><h2 id="new-token-h">New token</h2>
${postForm(ctx, '/settings/tokens', html`<label for="token-name">Name</label>
<input id="token-name" name="name" required maxlength="100" placeholder="laptop" value="${kept('name') ?? ''}">
<label for="token-permission">Permission</label>
<select id="token-permission" name="permission">${tokenPermissions.map(([value, label]) => html`<option value="${value}"${value === (kept('permission') ?? 'read-write') ? html` selected` : ''}>${label}</option>`)}</select>
<label for="token-expires">Expires (optional)</label>
<input id="token-expires" name="expires" type="date" value="${kept('expires') ?? ''}">
<button type="submit">Create token</button>`, { class: 'stack' })}</section>
<section aria-labelledby="tokens-h"><h2 id="tokens-h">Your tokens</h2>
${tokens.length ? html`<div class="table-wrap"><table>
<thead><tr><th scope="col">Name</th><th scope="col">Permission</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col">State</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>${tokens.map((t) => tokenRow(ctx, t))}</tbody></table></div>` : html`<p class="muted">No tokens yet.</p>`}</section>`;
  return page(ctx, { title: 'Access tokens', body });
}
