// Small formatting helpers shared by the views: sizes, times, short digests, pagination links.
import { html, type Html } from '../html.js';

export function formatSize(bytes: number | undefined): string {
  if (bytes === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** An ISO time as a <time> element, readable and exact on hover. */
export function when(iso: string | null | undefined): Html {
  if (!iso) return html`<span class="muted">never</span>`;
  const text = iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
  return html`<time datetime="${iso}" title="${iso}">${text}</time>`;
}

export function shortDigest(digest: string): string {
  const [algorithm, hex] = digest.split(':');
  return hex ? `${algorithm}:${hex.slice(0, 12)}` : digest;
}

/** Previous/next links for page `page` of `pages`, keeping the other query parameters. */
export function pager(path: string, params: Record<string, string>, page: number, pages: number): Html {
  if (pages <= 1) return html``;
  const link = (p: number) => `${path}?${new URLSearchParams({ ...params, page: String(p) }).toString()}`;
  return html`<nav class="pager" aria-label="Pages">
${page > 1 ? html`<a rel="prev" href="${link(page - 1)}">← Previous</a>` : ''}
<span>Page ${page} of ${pages}</span>
${page < pages ? html`<a rel="next" href="${link(page + 1)}">Next →</a>` : ''}
</nav>`;
}

/** A whole page number from the query (1 when absent or malformed). */
export function pageParam(value: unknown): number {
  const n = typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : 1;
  return n >= 1 ? n : 1;
}

export const repoUrl = (name: string) => `/r/${name}`;
