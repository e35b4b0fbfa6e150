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

export function renderMarkdown(text: string): Html {
  return trusted(md.render(text));
}
