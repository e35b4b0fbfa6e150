// docker-compose.yml must be a valid compose file that wires the index and the registry:
// `docker-compose config` (Debian's docker-compose) parses and normalizes it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { requireClient } from '../helpers/clients.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

describe('docker-compose.yml', () => {
  it('passes `docker-compose config` and wires index and registry', { skip: requireClient('docker-compose') }, () => {
    const out = execFileSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, WHARF_EVENTS_SECRET: 'a-secret-for-the-config-check' },
    });
    assert.match(out, /^services:/m);
    for (const service of ['index', 'registry']) assert.match(out, new RegExp(`^  ${service}:`, 'm'));
    assert.match(out, /WHARF_REGISTRY_AUTH_TOKEN_JWKS: http:\/\/index:5001\/keys/);
    assert.match(out, /WHARF_INDEX_EVENTS_SECRET: a-secret-for-the-config-check/);
    // The registry sends its push/delete events to the index, with the same secret.
    assert.match(out, /WHARF_EVENTS_SECRET: a-secret-for-the-config-check/);
    assert.match(out, /url:\s+http:\/\/index:5001\/events/);
    assert.match(out, /Authorization: "Bearer %s"/);
    assert.match(out, /healthcheck:/);
    // Both health checks ask for readiness (storage/database and signing keys), not mere liveness.
    assert.match(out, /127\.0\.0\.1:5001\/readyz/);
    assert.match(out, /127\.0\.0\.1:5000\/readyz/);
  });
});
