// Every user-supplied text is escaped: the html template escapes each interpolation, Markdown
// descriptions render without raw HTML or script links, and payloads stored in a description, a
// comment and an organization's display name reach the pages only as text.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { html, trusted } from '../../src/ui/html.js';
import { renderMarkdown } from '../../src/ui/markdown.js';
import { buildIndex, createRepo, password, signUp } from '../api/harness.js';
import { browser } from './harness.js';

const payloads = ['<script>alert(1)</script>', '<img src=x onerror=alert(2)>', '"><svg onload=alert(3)>', "' autofocus onfocus='alert(4)"];

describe('the html template', () => {
  it('escapes every interpolation, nested templates once, arrays item by item', () => {
    assert.equal(html`<p title="${'"x" & \'y\''}">${'<b>'}</p>`.value, '<p title="&quot;x&quot; &amp; &#39;y&#39;">&lt;b&gt;</p>');
    assert.equal(html`<ul>${['<a>', html`<li>${'<b>'}</li>`]}</ul>`.value, '<ul>&lt;a&gt;<li>&lt;b&gt;</li></ul>');
    assert.equal(html`${null}${undefined}${false}${0}`.value, '0');
    assert.equal(html`${trusted('<em>ok</em>')}`.value, '<em>ok</em>');
  });
});

describe('Markdown descriptions', () => {
  it('render formatting but never raw HTML, script: or data: links', () => {
    assert.match(renderMarkdown('**bold** and `code`').value, /<strong>bold<\/strong> and <code>code<\/code>/);
    assert.match(renderMarkdown('# Top\n\n## Next').value, /<h3>Top<\/h3>\n<h4>Next<\/h4>/, 'headings sit under the page\'s h2');
    const rendered = renderMarkdown(`${payloads.join('\n\n')}\n\n[click](javascript:alert(5)) [x](data:text/html,hi) [ok](https://example.com/a) [rel](/r/a/b) ![i](x" onerror="alert(6))`).value;
    assert.doesNotMatch(rendered, /<script|<img|<svg|href="(javascript|data):/i);
    assert.doesNotMatch(rendered, /\son[a-z]+="/i);
    assert.match(rendered, /&lt;script&gt;/);
    assert.match(rendered, /<a href="https:\/\/example.com\/a" rel="nofollow noopener noreferrer">ok<\/a>/);
    assert.match(rendered, /<a href="\/r\/a\/b"/);
  });
});

describe('stored payloads on the pages', () => {
  it('a description, a comment and an organization display name show as text only', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    await createRepo(index, alice, 'alice/app', 'public', payloads.join('\n\n'));
    await request(index.app).post('/api/repositories/alice/app/comments').set('Authorization', alice.auth).send({ body: payloads.join('\n') }).expect(201);
    await request(index.app).post('/api/orgs').set('Authorization', alice.auth).send({ name: 'acme', displayName: payloads[1] }).expect(201);
    const b = browser(index);
    await b.login('alice', password);
    for (const path of ['/r/alice/app', '/n/acme', '/search?q=app', '/r/alice/app/-/settings']) {
      const text = (await b.get(path)).text;
      assert.doesNotMatch(text, /<script>alert|<img src=x|<svg onload|=' autofocus|="' autofocus/i, path);
      assert.match(text, /&lt;(script|img)/, `${path} shows the payload as text`);
    }
    // Also in the search box and form values, which echo the query.
    const search = (await b.get(`/search?q=${encodeURIComponent('"><script>alert(7)</script>')}`)).text;
    assert.doesNotMatch(search, /<script>alert\(7\)/);
  });
});
