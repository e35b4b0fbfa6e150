// An organization's members and teams (members see them; owners also get the forms), and the
// form that creates an organization.
import { html, type Html } from '../html.js';
import { keptValue, type UiContext } from '../context.js';
import type { OrgView } from '../../orgs/orgs.js';
import type { TeamView } from '../../orgs/teams.js';
import { page, postForm } from './layout.js';
import { repoUrl } from './format.js';

export interface OrgSectionData {
  org: OrgView;
  owner: boolean;
  teams: TeamView[];
  /** The organization's repositories, for the team permission form. */
  repositories: string[];
}

const permissionOptions = html`<option value="read">read</option><option value="write">write</option><option value="admin">admin</option>`;

function membersSection(ctx: UiContext, data: OrgSectionData): Html {
  const base = `/n/${data.org.name}/-`;
  const rows = (data.org.members ?? []).map(
    (m) => html`<tr><th scope="row"><a href="/n/${m.username}">${m.username}</a></th><td>${m.role}</td>
${data.owner ? html`<td>${postForm(ctx, `${base}/members`, html`<input type="hidden" name="username" value="${m.username}"><input type="hidden" name="role" value="${m.role === 'owner' ? 'member' : 'owner'}">
<button type="submit" class="secondary">${m.role === 'owner' ? 'Make member' : 'Make owner'}</button>`, { class: 'inline' })}
${postForm(ctx, `${base}/members/${m.username}/remove`, html`<button type="submit" class="link danger" aria-label="Remove ${m.username} from ${data.org.name}">Remove</button>`, { class: 'inline', confirm: `Remove ${m.username}?` })}</td>` : ''}</tr>`,
  );
  return html`<section aria-labelledby="members-h"><h2 id="members-h">Members</h2>
<div class="table-wrap"><table><thead><tr><th scope="col">User</th><th scope="col">Role</th>${data.owner ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : ''}</tr></thead><tbody>${rows}</tbody></table></div>
${data.owner ? postForm(ctx, `${base}/members`, html`<label for="member-user">Username</label><input id="member-user" name="username" required autocapitalize="none" value="${keptValue(ctx, `${base}/members`, 'username') ?? ''}">
<label for="member-role">Role</label><select id="member-role" name="role"><option value="member">member</option><option value="owner"${keptValue(ctx, `${base}/members`, 'role') === 'owner' ? html` selected` : ''}>owner</option></select>
<button type="submit">Add member</button>`, { class: 'row-form' }) : ''}</section>`;
}

function teamCard(ctx: UiContext, data: OrgSectionData, team: TeamView, i: number): Html {
  const base = `/n/${data.org.name}/-/teams/${team.name}`;
  const members = team.members.map(
    (m) => html`<li><a href="/n/${m}">${m}</a>${data.owner ? postForm(ctx, `${base}/members/${m}/remove`, html`<button type="submit" class="link danger" aria-label="Remove ${m} from team ${team.name}">Remove</button>`, { class: 'inline' }) : ''}</li>`,
  );
  const repos = team.repositories.map(
    (r) => html`<li><a href="${repoUrl(r.repository)}">${r.repository}</a> <span class="badge">${r.permission}</span>${data.owner ? postForm(ctx, `${base}/repositories/remove`, html`<input type="hidden" name="repository" value="${r.repository}"><button type="submit" class="link danger" aria-label="Remove ${team.name}'s access to ${r.repository}">Remove</button>`, { class: 'inline' }) : ''}</li>`,
  );
  return html`<li class="card team"><h3>${team.name}</h3>
<h4>Members</h4>${members.length ? html`<ul class="plain">${members}</ul>` : html`<p class="muted">No members.</p>`}
${data.owner ? postForm(ctx, `${base}/members`, html`<label for="team-member-${i}">Add member</label><input id="team-member-${i}" name="username" required autocapitalize="none" value="${keptValue(ctx, `${base}/members`, 'username') ?? ''}"><button type="submit" class="secondary">Add</button>`, { class: 'row-form' }) : ''}
<h4>Repositories</h4>${repos.length ? html`<ul class="plain">${repos}</ul>` : html`<p class="muted">No repository permissions.</p>`}
${data.owner && data.repositories.length ? postForm(ctx, `${base}/repositories`, html`<label for="team-repo-${i}">Repository</label>
<select id="team-repo-${i}" name="repository">${data.repositories.map((r) => html`<option value="${r}">${r}</option>`)}</select>
<label for="team-perm-${i}">Permission</label><select id="team-perm-${i}" name="permission">${permissionOptions}</select>
<button type="submit" class="secondary">Grant</button>`, { class: 'row-form' }) : ''}
${data.owner ? postForm(ctx, `${base}/delete`, html`<button type="submit" class="link danger">Delete team ${team.name}</button>`, { class: 'inline', confirm: `Delete the team ${team.name}?` }) : ''}
</li>`;
}

export function orgSection(ctx: UiContext, data: OrgSectionData): Html {
  if (!data.org.members) return html``;
  const base = `/n/${data.org.name}/-`;
  return html`${membersSection(ctx, data)}
<section aria-labelledby="teams-h"><h2 id="teams-h">Teams</h2>
${data.teams.length ? html`<ul class="cards">${data.teams.map((t, i) => teamCard(ctx, data, t, i))}</ul>` : html`<p class="muted">No teams.</p>`}
${data.owner ? postForm(ctx, `${base}/teams`, html`<label for="team-name">Team name</label><input id="team-name" name="name" required pattern="[a-z0-9](?:[a-z0-9_]|-){0,63}" autocapitalize="none" value="${keptValue(ctx, `${base}/teams`, 'name') ?? ''}"><button type="submit">Create team</button>`, { class: 'row-form' }) : ''}
</section>
${data.owner ? html`<section aria-labelledby="org-settings-h"><h2 id="org-settings-h">Organization settings</h2>
${postForm(ctx, `${base}/display-name`, html`<label for="display-name">Display name</label><input id="display-name" name="displayName" maxlength="100" value="${data.org.displayName}"><button type="submit" class="secondary">Save</button>`, { class: 'row-form' })}
<div class="danger-zone">${postForm(ctx, `${base}/delete`, html`<label for="confirm-org">Type <strong>${data.org.name}</strong> to delete the organization and all its repositories</label>
<input id="confirm-org" name="confirm" required autocomplete="off" autocapitalize="none"><button type="submit" class="danger">Delete organization</button>`, { class: 'stack' })}</div></section>` : ''}`;
}

export function newOrgPage(ctx: UiContext): Html {
  const body = html`<div class="narrow"><h1>New organization</h1>
${postForm(ctx, '/orgs/new', html`<label for="org-name">Name</label>
<input id="org-name" name="name" required pattern="[a-z0-9]{4,30}" aria-describedby="org-name-help" autocapitalize="none" value="${keptValue(ctx, '/orgs/new', 'name') ?? ''}">
<p id="org-name-help" class="help">4 to 30 lowercase letters or digits; the namespace of its repositories.</p>
<label for="org-display">Display name (optional)</label>
<input id="org-display" name="displayName" maxlength="100" value="${keptValue(ctx, '/orgs/new', 'displayName') ?? ''}">
<button type="submit">Create organization</button>`, { class: 'stack' })}</div>`;
  return page(ctx, { title: 'New organization', body });
}

export function newRepositoryPage(ctx: UiContext, namespaces: string[], selectedNamespace: string): Html {
  const kept = (name: string) => keptValue(ctx, '/new', name);
  const selected = kept('namespace') ?? selectedNamespace;
  const isPrivate = kept('visibility') === 'private';
  const body = html`<div class="narrow"><h1>New repository</h1>
${postForm(ctx, '/new', html`<label for="repo-namespace">Namespace</label>
<select id="repo-namespace" name="namespace">${namespaces.map((n) => html`<option value="${n}"${n === selected ? html` selected` : ''}>${n}</option>`)}</select>
<label for="repo-name">Name</label>
<input id="repo-name" name="name" required pattern="[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*" autocapitalize="none" value="${kept('name') ?? ''}">
<label for="repo-description">Description (Markdown, optional)</label>
<textarea id="repo-description" name="description" rows="4" maxlength="2000">${kept('description') ?? ''}</textarea>
<fieldset><legend>Visibility</legend>
<label class="choice"><input type="radio" name="visibility" value="public"${isPrivate ? '' : html` checked`}> Public</label>
<label class="choice"><input type="radio" name="visibility" value="private"${isPrivate ? html` checked` : ''}> Private</label></fieldset>
<button type="submit">Create repository</button>`, { class: 'stack' })}</div>`;
  return page(ctx, { title: 'New repository', body });
}
