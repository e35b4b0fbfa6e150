// A browser-like client of the UI over supertest: it keeps its cookies (supertest's agent), reads
// the CSRF token from each page's forms and submits forms the way a browser does (urlencoded).
import assert from 'node:assert/strict';
import request, { type Response } from 'supertest';
import type { Index } from '../../src/index.js';

export interface Browser {
  agent: ReturnType<typeof request.agent>;
  /** GET a page; asserts the status (200 unless told). */
  get(path: string, status?: number): Promise<Response>;
  /** POST a form with the CSRF token of the last page loaded (or of `from`, loaded first). */
  submit(path: string, fields: Record<string, string>, opts?: { from?: string; status?: number }): Promise<Response>;
  login(username: string, password: string): Promise<Response>;
}

export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  assert.ok(match?.[1], 'no CSRF token on the page');
  return match[1];
}

export function browser(index: Index): Browser {
  const agent = request.agent(index.app);
  let lastPage = '';
  const self: Browser = {
    agent,
    async get(path, status = 200) {
      const res = await agent.get(path);
      assert.equal(res.status, status, `GET ${path}: ${res.status}\n${res.text.slice(0, 2000)}`);
      lastPage = res.text;
      return res;
    },
    async submit(path, fields, opts = {}) {
      if (opts.from) await self.get(opts.from);
      const res = await agent.post(path).type('form').send({ _csrf: csrfOf(lastPage), ...fields });
      if (opts.status !== undefined) assert.equal(res.status, opts.status, `POST ${path}: ${res.status}\n${res.text.slice(0, 2000)}`);
      // A redirect is not followed: the next page shows the action's notice once, to the test.
      if (res.status !== 303) lastPage = res.text;
      return res;
    },
    async login(username, password) {
      const res = await self.submit('/login', { username, password }, { from: '/login', status: 303 });
      // A new session: its own CSRF token.
      await self.get('/');
      return res;
    },
  };
  return self;
}
