// Every example configuration under services/registry/examples/ loads through the real loader
// and means what its comments say.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from './load.js';
import { wharfConfigSchema } from './schema.js';

// dist/src/config/ → services/cli/ → services/registry/examples/
const examples = fileURLToPath(new URL('../../../../registry/examples/', import.meta.url));
const example = (name: string) => `${examples}${name}`;

describe('services/registry/examples', () => {
  it('standalone.yaml: open, on disk under ./data/registry, deletes enabled', async () => {
    const { registry } = await loadConfig(wharfConfigSchema, { file: example('standalone.yaml'), env: {} });
    assert.deepEqual(registry.auth.none, {});
    assert.equal(registry.auth.htpasswd, undefined);
    assert.deepEqual(registry.storage.filesystem, { rootDirectory: './data/registry', maxOpenFiles: 512, openFileWait: '10s' });
    assert.equal(registry.storage.memory, undefined);
    assert.equal(registry.storage.delete.enabled, true);
    assert.equal(registry.http.addr, '127.0.0.1:5000');
    assert.deepEqual(registry.storage.uploadPurging, { enabled: true, age: '168h', interval: '24h' });
    assert.equal(registry.storage.maxManifestBytes, 4194304);
    assert.equal(registry.log.level, 'info');
  });

  it('htpasswd.yaml: Basic auth from ./data/htpasswd in realm wharf', async () => {
    const { registry } = await loadConfig(wharfConfigSchema, { file: example('htpasswd.yaml'), env: {} });
    assert.deepEqual(registry.auth.htpasswd, { path: './data/htpasswd', realm: 'wharf' });
    assert.equal(registry.auth.none, undefined);
    assert.deepEqual(registry.storage.filesystem, { rootDirectory: './data/registry', maxOpenFiles: 512, openFileWait: '10s' });
    assert.equal(registry.storage.delete.enabled, false);
    assert.equal(registry.http.addr, '127.0.0.1:5000');
  });

  it('notifications.yaml: two endpoints with retries, ignore rules and dropping, one disabled', async () => {
    const { registry } = await loadConfig(wharfConfigSchema, { file: example('notifications.yaml'), env: {} });
    const [index, audit, staging] = registry.notifications.endpoints;
    assert.equal(index?.url, 'http://127.0.0.1:5001/events');
    assert.deepEqual([index?.backoff, index?.maxBackoff, index?.threshold, index?.dropAfterThreshold], ['1s', '5m', 10, false]);
    assert.deepEqual(audit?.ignore.actions, ['delete']);
    assert.equal(audit?.ignore.mediaTypes.length, 2);
    assert.deepEqual([audit?.threshold, audit?.dropAfterThreshold], [5, true]);
    assert.deepEqual([staging?.disabled, index?.disabled], [true, false]);
  });

  it('tls.yaml: https with client certificates, metrics on a plain-http debug listener', async () => {
    const { registry } = await loadConfig(wharfConfigSchema, { file: example('tls.yaml'), env: {} });
    assert.deepEqual(registry.http.tls, { certificate: './certs/registry.crt', key: './certs/registry.key', clientCA: './certs/clients-ca.crt', minVersion: '1.2', reloadInterval: '1m' });
    assert.deepEqual(registry.http.debug, { addr: '127.0.0.1:5002' });
    assert.equal(registry.http.metrics, true);
  });

  it('s3-ceph.yaml: the S3 driver on a path-style Ceph endpoint, redirects on, credentials from the environment', async () => {
    const { registry } = await loadConfig(wharfConfigSchema, {
      file: example('s3-ceph.yaml'),
      env: { WHARF_REGISTRY_STORAGE_S3_ACCESSKEY: 'AK', WHARF_REGISTRY_STORAGE_S3_SECRETKEY: 'SK' },
    });
    assert.equal(registry.storage.filesystem, undefined);
    assert.deepEqual(registry.storage.s3, {
      endpoint: 'http://127.0.0.1:7480',
      region: 'us-east-1',
      bucket: 'wharf',
      forcePathStyle: true,
      rootDirectory: '/registry',
      accessKey: 'AK',
      secretKey: 'SK',
      storageClass: 'STANDARD',
      encrypt: false,
      chunkSize: 10485760,
    });
    assert.deepEqual(registry.storage.redirect, { enabled: true, expiry: '20m' });
    await assert.rejects(
      loadConfig(wharfConfigSchema, { file: example('s3-ceph.yaml'), env: { WHARF_REGISTRY_STORAGE_S3_ACCESSKEY: 'AK' } }),
      /accessKey and secretKey go together/,
    );
  });

  it('azure.yaml: Azure Blob storage on Azurite, container wharf under the prefix registry', async () => {
    const { registry } = await loadConfig(wharfConfigSchema, {
      file: example('azure.yaml'),
      env: { WHARF_REGISTRY_STORAGE_AZURE_ACCOUNTKEY: 'a-key-from-the-environment' },
    });
    assert.equal(registry.storage.filesystem, undefined);
    assert.equal(registry.storage.azure?.container, 'wharf');
    assert.equal(registry.storage.azure?.rootDirectory, 'registry');
    assert.equal(registry.storage.azure?.endpoint, 'http://127.0.0.1:10000/devstoreaccount1');
    assert.equal(registry.storage.azure?.accountKey, 'a-key-from-the-environment');
    assert.equal(registry.storage.azure?.blockSize, 4 * 1024 * 1024);
    assert.equal(registry.storage.delete.enabled, true);
  });

  it('lets the environment override an example', async () => {
    const { registry } = await loadConfig(wharfConfigSchema, {
      file: example('standalone.yaml'),
      env: { WHARF_REGISTRY_HTTP_ADDR: '0.0.0.0:5000', WHARF_REGISTRY_STORAGE_DELETE_ENABLED: 'false' },
    });
    assert.equal(registry.http.addr, '0.0.0.0:5000');
    assert.equal(registry.storage.delete.enabled, false);
  });

  it('every example file loads, and every option in it has a comment', async () => {
    const files = readdirSync(examples).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'));
    assert.ok(files.includes('standalone.yaml') && files.includes('htpasswd.yaml'), files.join(', '));
    for (const file of files) {
      await loadConfig(wharfConfigSchema, { file: example(file), env: {} });
      const lines = readFileSync(example(file), 'utf8').split('\n');
      lines.forEach((line, i) => {
        // A leaf option ("key: value") below the service section needs a comment just above it.
        if (!/^\s{4,}[A-Za-z]+: \S/.test(line)) return;
        assert.match(lines[i - 1] ?? '', /^\s*#/, `${file}:${i + 1}: ${line.trim()} has no comment above it`);
      });
    }
  });
});
