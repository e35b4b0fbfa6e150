// The repository page (description, pull command, tags newest first and paginated, stars,
// comments) and a tag's detail (its config and layers, or an index's platforms).
import { mediaTypes } from '@wharf/shared';
import { html, type Html } from '../html.js';
import { keptValue, type UiContext } from '../context.js';
import { renderMarkdown } from '../markdown.js';
import type { RepositoryView, TagView } from '../../repositories/repositories.js';
import type { CommentView } from '../../repositories/comments.js';
import type { ManifestReference } from '../../db/images.js';
import type { ConfigResult } from '../../images/config-fetcher.js';
import { imageConfigSection } from './image-config.js';
import { page, postForm } from './layout.js';
import { formatSize, pager, repoUrl, shortDigest, when } from './format.js';

export const tagsPerPage = 20;

export interface RepositoryPageData {
  repo: RepositoryView;
  /** The newest comments; `commentCount` counts them all. */
  comments: { comment: CommentView; deletable: boolean }[];
  commentCount: number;
  mayAdminister: boolean;
  registryHost: string;
  tagPage: number;
}

/** A command in a code box with a copy button (the button only appears with JavaScript). */
export function copyable(id: string, label: string, text: string): Html {
  return html`<div class="copy-box"><label for="${id}">${label}</label>
<div class="row"><input id="${id}" class="code" type="text" readonly value="${text}">
<button type="button" class="copy" data-copy-target="${id}" hidden>Copy</button></div></div>`;
}

const isIndex = (mediaType: string) => /manifest\.list|image\.index/.test(mediaType);

function platforms(refs: ManifestReference[]): string {
  return refs.filter((r) => r.platform).map(platformName).join(', ');
}

/** An image's size as pulled (manifest, config and layers); unknown for an index's whole. */
function imageSize(t: ImageDetail): number | undefined {
  if (isIndex(t.mediaType) || t.references.length === 0) return undefined;
  return t.references.reduce((n, r) => n + (r.size ?? 0), t.size);
}

function tagRow(name: string, t: TagView): Html {
  return html`<tr>
<th scope="row"><a href="${repoUrl(name)}/-/tags/${t.tag}">${t.tag}</a></th>
<td><code title="${t.digest}">${shortDigest(t.digest)}</code></td>
<td>${formatSize(imageSize(t))}</td>
<td>${isIndex(t.mediaType) ? platforms(t.references) || 'multi-platform' : html`<span class="muted">single</span>`}</td>
<td class="mediatype">${t.mediaType || '—'}</td>
<td>${when(t.pushedAt)}</td>
</tr>`;
}

function starForm(ctx: UiContext, repo: RepositoryView): Html {
  const count = html`<span class="count" aria-label="${repo.starCount} stars">★ ${repo.starCount}</span>`;
  if (!ctx.session) return html`<p class="stars">${count} <a href="/login?next=${encodeURIComponent(repoUrl(repo.name))}">Log in to star</a></p>`;
  const action = `${repoUrl(repo.name)}/-/${repo.starred ? 'unstar' : 'star'}`;
  return postForm(ctx, action, html`${count} <button type="submit">${repo.starred ? 'Unstar' : 'Star'}</button>`, { class: 'stars inline' });
}

function commentsSection(ctx: UiContext, data: RepositoryPageData): Html {
  const { repo } = data;
  const items = data.comments.map(
    ({ comment, deletable }) => html`<li class="comment">
<p class="meta"><a href="/n/${comment.author}">${comment.author}</a> · ${when(comment.createdAt)}</p>
<p class="body">${comment.body}</p>
${deletable ? postForm(ctx, `${repoUrl(repo.name)}/-/comments/${comment.id}/delete`, html`<button type="submit" class="link danger">Delete comment</button>`, { class: 'inline', confirm: 'Delete this comment?' }) : ''}
</li>`,
  );
  const form = ctx.session
    ? postForm(ctx, `${repoUrl(repo.name)}/-/comments`, html`<label for="comment-body">Add a comment</label>
<textarea id="comment-body" name="body" rows="3" maxlength="5000" required>${keptValue(ctx, `${repoUrl(repo.name)}/-/comments`, 'body') ?? ''}</textarea>
<button type="submit">Post comment</button>`, { class: 'stack' })
    : html`<p><a href="/login?next=${encodeURIComponent(repoUrl(repo.name))}">Log in</a> to comment.</p>`;
  return html`<section aria-labelledby="comments-h"><h2 id="comments-h">Comments (${data.commentCount})</h2>
${items.length ? html`<ul class="comments">${items}</ul>` : html`<p class="muted">No comments yet.</p>`}
${form}</section>`;
}

export function repositoryPage(ctx: UiContext, data: RepositoryPageData): Html {
  const { repo } = data;
  const pages = Math.max(1, Math.ceil(repo.tags.length / tagsPerPage));
  const current = Math.min(data.tagPage, pages);
  const shown = repo.tags.slice((current - 1) * tagsPerPage, current * tagsPerPage);
  const latest = repo.tags[0]?.tag ?? 'latest';
  const body = html`<nav class="crumbs" aria-label="Breadcrumb"><a href="/n/${repo.namespace}">${repo.namespace}</a> /</nav>
<div class="title-row"><h1>${repo.name}</h1>
${repo.visibility === 'private' ? html`<span class="badge private">Private</span>` : html`<span class="badge">Public</span>`}
${starForm(ctx, repo)}
${data.mayAdminister ? html`<a class="button secondary" href="${repoUrl(repo.name)}/-/settings">Settings</a>` : ''}</div>
<div class="grid">
<section class="description" aria-labelledby="about-h"><h2 id="about-h">About</h2>
${repo.description ? html`<div class="markdown">${renderMarkdown(repo.description)}</div>` : html`<p class="muted">No description.</p>`}</section>
<aside aria-labelledby="pull-h"><h2 id="pull-h">Pull</h2>
${copyable('pull-command', 'Pull command', `docker pull ${data.registryHost}/${repo.name}:${latest}`)}
<p class="meta">${repo.tags.length} ${repo.tags.length === 1 ? 'tag' : 'tags'} · last push ${when(repo.lastPush)}</p></aside>
</div>
<section aria-labelledby="tags-h"><h2 id="tags-h">Tags</h2>
${shown.length ? html`<div class="table-wrap"><table class="tags">
<caption class="visually-hidden">Tags of ${repo.name}, newest first</caption>
<thead><tr><th scope="col">Tag</th><th scope="col">Digest</th><th scope="col">Size</th><th scope="col">Platforms</th><th scope="col">Media type</th><th scope="col">Pushed</th></tr></thead>
<tbody>${shown.map((t) => tagRow(repo.name, t))}</tbody></table></div>
${pager(repoUrl(repo.name), {}, current, pages)}` : html`<p class="muted">Nothing pushed yet.</p>`}
</section>
${commentsSection(ctx, data)}`;
  return page(ctx, { title: repo.name, body });
}

function platformName(r: ManifestReference, i: number): string {
  return r.platform ? [r.platform.os, r.platform.architecture, r.platform.variant].filter(Boolean).join('/') : `manifest ${i + 1}`;
}

function referenceRows(repo: string, refs: ManifestReference[], index: boolean): Html {
  return html`${refs.map(
    (r, i) => html`<tr>
<th scope="row">${index ? html`<a href="${manifestUrl(repo, r.digest)}">${platformName(r, i)}</a>` : i === 0 ? 'config' : `layer ${i}`}</th>
<td><code>${r.digest}</code></td><td>${formatSize(r.size)}</td><td class="mediatype">${r.mediaType ?? '—'}</td></tr>`,
  )}`;
}

export const manifestUrl = (repo: string, digest: string) => `${repoUrl(repo)}/-/manifests/${digest}`;

/** A tag, or a manifest reached by digest (an index's platform). */
export type ImageDetail = Omit<TagView, 'tag'> & { tag?: string };

const imageConfigTypes: (string | undefined)[] = [mediaTypes.dockerConfig, mediaTypes.ociConfig, undefined];

/** The config descriptor of a container image (its first reference); none for an index or an
 * artifact whose config is something else (a Helm chart's, the OCI empty descriptor). */
export function configDescriptor(image: ImageDetail): ManifestReference | undefined {
  if (isIndex(image.mediaType)) return undefined;
  const descriptor = image.references[0] ?? (image.layers[0] ? { digest: image.layers[0] } : undefined);
  return descriptor && imageConfigTypes.includes(descriptor.mediaType) ? descriptor : undefined;
}

export function tagPage(ctx: UiContext, repo: RepositoryView, tag: ImageDetail, registryHost: string, config?: ConfigResult): Html {
  const index = isIndex(tag.mediaType);
  // Older records carry digests only (no descriptors): show what is known.
  const refs: ManifestReference[] = tag.references.length ? tag.references : tag.layers.map((digest) => ({ digest }));
  const title = tag.tag === undefined ? `${repo.name}@${tag.digest}` : `${repo.name}:${tag.tag}`;
  const body = html`<nav class="crumbs" aria-label="Breadcrumb"><a href="/n/${repo.namespace}">${repo.namespace}</a> / <a href="${repoUrl(repo.name)}">${repo.name}</a> /</nav>
<h1>${title}</h1>
${tag.tag === undefined ? '' : copyable('pull-tag', 'Pull command', `docker pull ${registryHost}/${repo.name}:${tag.tag}`)}
${copyable('pull-digest', 'Pull by digest', `docker pull ${registryHost}/${repo.name}@${tag.digest}`)}
<dl class="facts">
<dt>Digest</dt><dd><code>${tag.digest}</code></dd>
<dt>Media type</dt><dd>${tag.mediaType || '—'}</dd>
<dt>Manifest size</dt><dd>${formatSize(tag.size)}</dd>
${index ? '' : html`<dt>Image size</dt><dd>${formatSize(imageSize(tag))}</dd>`}
<dt>Pushed</dt><dd>${when(tag.pushedAt)}</dd>
</dl>
${config ? imageConfigSection(config) : ''}
<section aria-labelledby="refs-h"><h2 id="refs-h">${index ? 'Platforms' : 'Config and layers'}</h2>
${refs.length ? html`<div class="table-wrap"><table>
<thead><tr><th scope="col">${index ? 'Platform' : 'Part'}</th><th scope="col">Digest</th><th scope="col">Size</th><th scope="col">Media type</th></tr></thead>
<tbody>${referenceRows(repo.name, refs, index)}</tbody></table></div>` : html`<p class="muted">The registry reported no references.</p>`}
</section>`;
  return page(ctx, { title, body });
}
