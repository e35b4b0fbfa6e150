// The frame of every page: a skip link, the header (home, search, the account menu), the notice
// of the last action, the page's main content and a footer. One stylesheet and one script, both
// external files, so the Content-Security-Policy needs no inline allowances.
import { html, type Html, type Interpolation } from '../html.js';
import type { UiContext } from '../context.js';
import { isSiteAdmin } from '../../repositories/actor.js';
import { csrfField } from '../csrf.js';

export interface PageOptions {
  title: string;
  /** The page's content, starting with its h1. */
  body: Interpolation;
  /** The search box's current text. */
  query?: string;
  /** Whether the header shows the search box (default true). */
  headerSearch?: boolean;
}

/** A POST form with the CSRF token; `label` is the accessible name of its submit button. */
export function postForm(ctx: UiContext, action: string, content: Interpolation, attrs: { class?: string; confirm?: string } = {}): Html {
  return html`<form method="post" action="${action}" class="${attrs.class ?? ''}"${attrs.confirm ? html` data-confirm="${attrs.confirm}"` : ''}>
<input type="hidden" name="${csrfField}" value="${ctx.csrf}">${content}</form>`;
}

function accountMenu(ctx: UiContext): Html {
  const user = ctx.session?.user;
  if (!user) {
    return html`<a href="/login?next=${encodeURIComponent(ctx.here)}">Log in</a><a href="/signup" class="button">Sign up</a>`;
  }
  return html`<a href="/n/${user.username}">${user.username}</a>
<a href="/settings">Settings</a>${isSiteAdmin(ctx.principal) ? html`<a href="/admin">Admin</a>` : ''}
${postForm(ctx, '/logout', html`<button type="submit" class="link">Log out</button>`, { class: 'inline' })}`;
}

export function page(ctx: UiContext, options: PageOptions): Html {
  const notice = ctx.notice
    ? html`<p class="notice ${ctx.notice.kind}" role="${ctx.notice.kind === 'error' ? 'alert' : 'status'}">${ctx.notice.text}</p>`
    : '';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · Wharf</title>
<link rel="stylesheet" href="/static/ui.css">
<link rel="icon" href="data:,">
<script src="/static/ui.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site">
<a class="brand" href="/">⚓ Wharf</a>
${options.headerSearch === false ? html`<span class="spacer"></span>` : html`<form class="search" method="get" action="/search" role="search">
<label for="site-search" class="visually-hidden">Search repositories</label>
<input id="site-search" type="search" name="q" value="${options.query ?? ''}" placeholder="Search repositories" maxlength="255">
<button type="submit">Search</button>
</form>`}
<nav class="account" aria-label="Account">${accountMenu(ctx)}</nav>
</header>
<main id="main">
${notice}
${options.body}
</main>
<footer class="site">Wharf container registry · <a href="/">Browse</a></footer>
</body>
</html>`;
}
