import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { errorCatalogue, isErrorCode, RegistryError, renderError, renderV1Error, type ErrorCode } from './errors.js';

/**
 * The statuses of the OCI distribution spec's error codes and of Distribution's errcode
 * registrations (for the codes the spec leaves to implementations), written out independently
 * of the catalogue so that a changed status is caught.
 */
const expectedStatus: Record<ErrorCode, number> = {
  BLOB_UNKNOWN: 404,
  BLOB_UPLOAD_INVALID: 400,
  BLOB_UPLOAD_UNKNOWN: 404,
  DIGEST_INVALID: 400,
  MANIFEST_BLOB_UNKNOWN: 400,
  MANIFEST_INVALID: 400,
  MANIFEST_UNKNOWN: 404,
  MANIFEST_UNVERIFIED: 400,
  MANIFEST_TOO_BIG: 413,
  NAME_INVALID: 400,
  NAME_UNKNOWN: 404,
  SIZE_INVALID: 400,
  TAG_INVALID: 400,
  RANGE_INVALID: 416,
  PAGINATION_NUMBER_INVALID: 400,
  UNAUTHORIZED: 401,
  DENIED: 403,
  UNSUPPORTED: 405,
  TOOMANYREQUESTS: 429,
  UNAVAILABLE: 503,
  NOT_FOUND: 404,
  UNKNOWN: 500,
};

const codes = Object.keys(errorCatalogue) as ErrorCode[];

describe('the error catalogue', () => {
  it('has exactly the expected codes', () => {
    assert.deepEqual([...codes].sort(), Object.keys(expectedStatus).sort());
  });

  for (const code of codes) {
    it(`${code} renders with status ${expectedStatus[code]} and its default message`, () => {
      const err = new RegistryError(code);
      assert.equal(err.status, expectedStatus[code]);
      const rendered = renderError(err);
      assert.equal(rendered.status, expectedStatus[code]);
      assert.deepEqual(rendered.headers, {});
      assert.deepEqual(rendered.body, { errors: [{ code, message: errorCatalogue[code].message }] });
      // The envelope survives JSON serialisation unchanged (no undefined detail key).
      assert.deepEqual(JSON.parse(JSON.stringify(rendered.body)), rendered.body);
      assert.equal(JSON.stringify(rendered.body).includes('detail'), false);
    });
  }

  it('gives every code a non-empty default message', () => {
    for (const code of codes) assert.ok(errorCatalogue[code].message.length > 0, code);
  });
});

describe('isErrorCode', () => {
  it('knows the catalogue codes', () => {
    for (const code of codes) assert.equal(isErrorCode(code), true, code);
  });

  it('rejects other strings, including Object.prototype keys', () => {
    for (const value of ['', 'blob_unknown', 'NOPE', 'toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      assert.equal(isErrorCode(value), false, value);
    }
  });
});

describe('RegistryError', () => {
  it('is an Error with its code, name, status and default message', () => {
    const err = new RegistryError('NAME_UNKNOWN');
    assert.ok(err instanceof Error);
    assert.equal(err.name, 'RegistryError');
    assert.equal(err.code, 'NAME_UNKNOWN');
    assert.equal(err.status, 404);
    assert.equal(err.message, 'repository name not known to registry');
    assert.equal(err.detail, undefined);
    assert.deepEqual(err.headers, {});
  });

  it('carries a custom message and detail into the envelope', () => {
    const detail = { name: 'demo/app', digest: 'sha256:abc' };
    const rendered = renderError(new RegistryError('BLOB_UNKNOWN', { message: 'no such blob', detail }));
    assert.equal(rendered.status, 404);
    assert.deepEqual(rendered.body, { errors: [{ code: 'BLOB_UNKNOWN', message: 'no such blob', detail }] });
  });

  it('keeps falsy but defined details', () => {
    for (const detail of [0, '', false, null]) {
      const rendered = renderError(new RegistryError('SIZE_INVALID', { detail }));
      assert.deepEqual(rendered.body.errors[0], { code: 'SIZE_INVALID', message: errorCatalogue.SIZE_INVALID.message, detail });
    }
  });

  it('carries its headers into the rendering (the 401 challenge)', () => {
    const challenge = 'Basic realm="wharf"';
    const err = new RegistryError('UNAUTHORIZED', { headers: { 'WWW-Authenticate': challenge } });
    assert.deepEqual(err.headers, { 'WWW-Authenticate': challenge });
    const rendered = renderError(err);
    assert.equal(rendered.status, 401);
    assert.deepEqual(rendered.headers, { 'WWW-Authenticate': challenge });
    assert.deepEqual(rendered.body.errors.map((e) => e.code), ['UNAUTHORIZED']);
  });

  it('cannot be given a status other than its code’s', () => {
    const err = new RegistryError('DENIED', { message: 'go away' });
    assert.equal(err.status, 403);
    assert.equal(renderError(err).status, 403);
  });
});

describe('renderError of anything else', () => {
  const secret = 'EACCES: permission denied, open /srv/registry/secret-token';
  const thrown: Array<[string, unknown]> = [
    ['an Error', new Error(secret)],
    ['a TypeError', new TypeError(secret)],
    ['an error with a code property', Object.assign(new Error(secret), { code: 'DENIED', status: 403 })],
    ['a look-alike of a RegistryError', { code: 'DENIED', status: 403, message: secret, headers: { 'X-Leak': secret } }],
    ['a string', secret],
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
  ];

  for (const [what, value] of thrown) {
    it(`renders ${what} as UNKNOWN/500 without leaking its message`, () => {
      const rendered = renderError(value);
      assert.equal(rendered.status, 500);
      assert.deepEqual(rendered.headers, {});
      assert.deepEqual(rendered.body, { errors: [{ code: 'UNKNOWN', message: 'unknown error' }] });
      const wire = JSON.stringify(rendered);
      assert.equal(wire.includes('secret'), false);
      assert.equal(wire.includes('EACCES'), false);
    });
  }
});

describe('README error table', () => {
  const readme = fileURLToPath(new URL('../../../README.md', import.meta.url));

  /** The rows of the first markdown table whose header's first cell is "code": code → status. */
  function readTable(text: string): Map<string, string> | undefined {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const cells = splitRow(lines[i]!);
      if (!cells || cells[0]?.toLowerCase() !== 'code') continue;
      if (!splitRow(lines[i + 1] ?? '')?.every((c) => /^:?-+:?$/.test(c))) continue;
      const rows = new Map<string, string>();
      for (let j = i + 2; j < lines.length; j++) {
        const row = splitRow(lines[j]!);
        if (!row) break;
        rows.set(row[0]!.replace(/`/g, ''), (row[1] ?? '').replace(/`/g, ''));
      }
      return rows;
    }
    return undefined;
  }

  function splitRow(line: string): string[] | undefined {
    const trimmed = line.trim();
    if (!trimmed.startsWith('|') || !trimmed.endsWith('|') || trimmed.length < 2) return undefined;
    return trimmed
      .slice(1, -1)
      .split('|')
      .map((c) => c.trim());
  }

  it(
    'lists every catalogue code with its status',
    { skip: existsSync(readme) ? false : 'README has no error table yet' },
    () => {
      const table = readTable(readFileSync(readme, 'utf8'));
      assert.ok(
        table,
        `README.md has no error table (a markdown table headed "| code | HTTP status | meaning |"); it must list: ${codes.join(', ')}`,
      );
      const missing = codes.filter((c) => !table.has(c));
      assert.deepEqual(missing, [], `README.md's error table is missing: ${missing.join(', ')}`);
      const wrong = codes
        .filter((c) => table.get(c) !== String(errorCatalogue[c].status))
        .map((c) => `${c}: README says ${JSON.stringify(table.get(c))}, catalogue says ${errorCatalogue[c].status}`);
      assert.deepEqual(wrong, [], `README.md's error table disagrees with the catalogue:\n${wrong.join('\n')}`);
      const unknown = [...table.keys()].filter((c) => !isErrorCode(c));
      assert.deepEqual(unknown, [], `README.md's error table lists codes the catalogue does not have: ${unknown.join(', ')}`);
    },
  );

  it('finds the table in a sample document (the parser itself works)', () => {
    const sample = [
      '# Doc',
      '| option | default |',
      '|---|---|',
      '| `code` | x |',
      '',
      '| code | HTTP status | meaning |',
      '|---|:---:|---|',
      '| `BLOB_UNKNOWN` | 404 | blob unknown |',
      '| DENIED | 403 | denied |',
      '',
      '| `NOT_IN_TABLE` | 1 | after the blank line |',
    ].join('\n');
    assert.deepEqual(
      readTable(sample),
      new Map([
        ['BLOB_UNKNOWN', '404'],
        ['DENIED', '403'],
      ]),
    );
    assert.equal(readTable('| option | default |\n|---|---|\n| a | b |'), undefined);
  });
});

describe('renderV1Error', () => {
  it('keeps the catalogue status and headers and answers {"error": message}', () => {

    const denied = renderV1Error(new RegistryError('UNAUTHORIZED', { message: 'no', headers: { 'WWW-Authenticate': 'Token' } }));
    assert.deepEqual(denied, { status: 401, headers: { 'WWW-Authenticate': 'Token' }, body: { error: 'no' } });
    assert.deepEqual(renderV1Error(new Error('secret detail')), { status: 500, headers: {}, body: { error: 'internal error' } });
  });
});
