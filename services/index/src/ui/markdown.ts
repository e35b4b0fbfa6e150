// Repository descriptions are Markdown, rendered with raw HTML off (markdown-it escapes it) and
// only http(s), mailto and relative links allowed, so a description can never carry script.
import MarkdownIt from 'markdown-it';
import { trusted, type Html } from './html.js';

const md = new MarkdownIt({ html: false, linkify: true, typographer: false });

const safeLink = /^(https?:|mailto:|#|\/(?!\/)|\.{0,2}\/?[a-z0-9_-]*(?:[/?#]|$))/i;

md.validateLink = (url: string): boolean => {
  const trimmed = url.trim();
  if (/^[a-z][a-z0-9+.-]*:/i.test(trimmed)) return /^(https?|mailto):/i.test(trimmed);
  return safeLink.test(trimmed);
};

// Links leave the site without handing it the opener or a referrer.
const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx]!.attrSet('rel', 'nofollow noopener noreferrer');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

// A description sits under the page's h2 "About": its top heading level becomes h3, the others
// keep their distance from it (capped at h6), so the page's heading outline stays in order.
md.core.ruler.push('demote_headings', (state) => {
  const levels = state.tokens.filter((t) => t.type === 'heading_open').map((t) => Number(t.tag.slice(1)));
  if (levels.length === 0) return;
  const shift = 3 - Math.min(...levels);
  for (const token of state.tokens) {
    if (token.type === 'heading_open' || token.type === 'heading_close') token.tag = `h${Math.min(6, Number(token.tag.slice(1)) + shift)}`;
  }
});

export function renderMarkdown(text: string): Html {
  return trusted(md.render(text));
}

/** The description's words without its markup, for one-line summaries in lists. */
export function markdownSummary(text: string, max = 200): string {
  const words: string[] = [];
  for (const token of md.parse(text, {})) {
    if (token.type !== 'inline') continue;
    for (const child of token.children ?? []) if (child.type === 'text' || child.type === 'code_inline') words.push(child.content);
    words.push(' ');
  }
  const summary = words.join('').replace(/\s+/g, ' ').trim();
  return summary.length > max ? `${summary.slice(0, max - 1)}…` : summary;
}
