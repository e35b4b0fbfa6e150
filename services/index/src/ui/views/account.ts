// Log in and sign up (forms re-rendered with the problem when refused), and the error page.
import { html, type Html } from '../html.js';
import type { UiContext } from '../context.js';
import { page, postForm } from './layout.js';

export function loginPage(ctx: UiContext, next: string, username = '', problem?: string): Html {
  const body = html`<div class="narrow"><h1>Log in</h1>
${problem ? html`<p class="notice error" role="alert">${problem}</p>` : ''}
${postForm(ctx, '/login', html`<input type="hidden" name="next" value="${next}">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required value="${username}" autocapitalize="none">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Log in</button>`, { class: 'stack' })}
<p>No account? <a href="/signup">Sign up</a>.</p></div>`;
  return page(ctx, { title: 'Log in', body });
}

export function signupPage(ctx: UiContext, open: boolean, values: { username?: string; email?: string } = {}, problem?: string): Html {
  const body = open
    ? html`<div class="narrow"><h1>Sign up</h1>
${problem ? html`<p class="notice error" role="alert">${problem}</p>` : ''}
${postForm(ctx, '/signup', html`<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required pattern="[a-z0-9]{4,30}" aria-describedby="username-help" value="${values.username ?? ''}" autocapitalize="none">
<p id="username-help" class="help">4 to 30 lowercase letters or digits; it is also your namespace.</p>
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="email" required value="${values.email ?? ''}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="8" aria-describedby="password-help">
<p id="password-help" class="help">At least 8 characters.</p>
<button type="submit">Create account</button>`, { class: 'stack' })}
<p>Have an account? <a href="/login">Log in</a>.</p></div>`
    : html`<div class="narrow"><h1>Sign up</h1><p>Sign-up is closed on this index; ask an administrator for an account.</p></div>`;
  return page(ctx, { title: 'Sign up', body });
}

export function errorPage(ctx: UiContext, status: number, message: string): Html {
  const title = status === 404 ? 'Not found' : status === 401 ? 'Sign in first' : status === 403 ? 'Not allowed' : status === 429 ? 'Too many requests' : status >= 500 ? 'Something went wrong' : 'That did not work';
  const body = html`<div class="narrow"><h1>${title}</h1><p>${message}</p>
${status === 401 ? html`<p><a class="button" href="/login?next=${encodeURIComponent(ctx.here)}">Log in</a></p>` : html`<p><a href="/">Back to the repositories</a></p>`}</div>`;
  return page(ctx, { title, body });
}
