// An image's config on the tag page: platform, created, how it runs (entrypoint, cmd, env,
// ports, labels, working dir, user) and its history — every value escaped by `html`.
import { html, type Html } from '../html.js';
import type { ConfigResult } from '../../images/config-fetcher.js';
import type { ImageConfig } from '../../images/image-config.js';
import { when } from './format.js';

/** How Docker writes a command: an exec form as JSON, so arguments with spaces stay readable. */
const command = (argv: string[] | undefined) => (argv?.length ? html`<code>${JSON.stringify(argv)}</code>` : html`<span class="muted">none</span>`);

function list(items: string[], label: string): Html {
  return items.length ? html`<ul class="plain" aria-label="${label}">${items.map((i) => html`<li><code>${i}</code></li>`)}</ul>` : html`<span class="muted">none</span>`;
}

function runFacts(c: ImageConfig): Html {
  const platform = [c.os, c.architecture, c.variant].filter(Boolean).join('/');
  return html`<dl class="facts image-config">
<dt>Platform</dt><dd class="platform">${platform || '—'}</dd>
<dt>Created</dt><dd>${when(c.created)}</dd>
${c.author ? html`<dt>Author</dt><dd>${c.author}</dd>` : ''}
<dt>Entrypoint</dt><dd class="entrypoint">${command(c.entrypoint)}</dd>
<dt>Cmd</dt><dd class="cmd">${command(c.cmd)}</dd>
<dt>Working dir</dt><dd>${c.workingDir ? html`<code>${c.workingDir}</code>` : html`<span class="muted">/</span>`}</dd>
<dt>User</dt><dd>${c.user ? html`<code>${c.user}</code>` : html`<span class="muted">root (default)</span>`}</dd>
<dt>Exposed ports</dt><dd>${list(c.exposedPorts, 'Exposed ports')}</dd>
<dt>Environment</dt><dd class="env">${list(c.env, 'Environment')}</dd>
<dt>Labels</dt><dd>${list(c.labels.map(([k, v]) => `${k}=${v}`), 'Labels')}</dd>
</dl>`;
}

function history(c: ImageConfig): Html {
  if (!c.history.length) return html`<p class="muted">The config records no history.</p>`;
  return html`<div class="table-wrap"><table class="history">
<caption class="visually-hidden">Build history, oldest first</caption>
<thead><tr><th scope="col">#</th><th scope="col">Created by</th><th scope="col">Layer</th><th scope="col">Created</th></tr></thead>
<tbody>${c.history.map(
    (h, i) => html`<tr${h.emptyLayer ? html` class="empty-layer"` : ''}>
<th scope="row">${i + 1}</th>
<td><code>${h.createdBy ?? ''}</code>${h.comment ? html` <span class="muted">${h.comment}</span>` : ''}</td>
<td>${h.emptyLayer ? html`<span class="muted">empty</span>` : 'layer'}</td>
<td>${when(h.created)}</td></tr>`,
  )}</tbody></table></div>`;
}

export function imageConfigSection(result: ConfigResult): Html {
  const body =
    'config' in result
      ? html`${runFacts(result.config)}<h3 id="history-h">History</h3>${history(result.config)}`
      : html`<p class="notice config-unavailable" role="status">Config not available: ${result.unavailable}. The descriptor is listed below.</p>`;
  return html`<section aria-labelledby="config-h"><h2 id="config-h">Image config</h2>${body}</section>`;
}
