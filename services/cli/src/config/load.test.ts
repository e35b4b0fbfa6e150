import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, loadConfig } from './load.js';
import { wharfConfigSchema, type WharfConfig } from './schema.js';

let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wharf-config-'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

let counter = 0;
async function yamlFile(text: string): Promise<string> {
  const file = join(dir, `config-${++counter}.yaml`);
  await writeFile(file, text);
  return file;
}

/** Runs loadConfig expecting a ConfigError; returns its problem lines. */
async function problemsOf(options: Parameters<typeof loadConfig>[1]): Promise<string[]> {
  try {
    await loadConfig(wharfConfigSchema, options);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    assert.equal(err.name, 'ConfigError');
    assert.equal(err.message, err.problems.join('\n'));
    for (const line of err.problems) assert.equal(line.includes('\n'), false, `one line per problem: ${line}`);
    return err.problems;
  }
  assert.fail('expected loadConfig to reject');
}

/** The option names the JSON Schema gives for the object at a path (independent of schema-walk). */
function jsonSchemaKeys(...path: string[]): string[] {
  let node = z.toJSONSchema(wharfConfigSchema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, unknown>;
  };
  for (const key of path) node = node.properties![key] as typeof node;
  return Object.keys(node.properties ?? {});
}

describe('loadConfig: sources', () => {
  it('uses the defaults with no file and no variables', async () => {
    const config = await loadConfig(wharfConfigSchema, { env: {} });
    const registry = config.registry;
    assert.equal(registry.http.addr, '127.0.0.1:5000');
    assert.equal(registry.http.requestTimeout, '0s');
    assert.equal(registry.log.level, 'info');
    assert.equal(registry.log.accessLog, true);
    assert.deepEqual(registry.storage.filesystem, { rootDirectory: './data/registry', maxOpenFiles: 512, openFileWait: '10s' });
    assert.equal(registry.storage.memory, undefined);
    assert.equal(registry.storage.delete.enabled, false);
    assert.deepEqual(registry.storage.uploadPurging, { enabled: true, age: '168h', interval: '24h' });
    assert.equal(registry.storage.maxManifestBytes, 4 * 1024 * 1024);
    // No auth method configured means none.
    assert.equal(registry.auth.htpasswd, undefined);
  });

  it('ignores unrelated and reserved variables', async () => {
    const config = await loadConfig(wharfConfigSchema, {
      env: { PATH: '/bin', HOME: '/root', WHARF_DOCKERD_DIR: '/x', WHARF_WORKER_INDEX: '3', wharf_registry_http_addr: 'x' },
    });
    assert.equal(config.registry.http.addr, '127.0.0.1:5000');
  });

  it('ignores the variables of the workspace tools and docker-compose (ceph-rgw.sh, WHARF_EVENTS_SECRET)', async () => {
    const env = {
      WHARF_S3_ENDPOINT: 'http://127.0.0.1:7480',
      WHARF_S3_REGION: 'us-east-1',
      WHARF_S3_ACCESS_KEY: 'ak',
      WHARF_S3_SECRET_KEY: 'sk',
      WHARF_CEPH_DIR: '/tmp/c',
      WHARF_EVENTS_SECRET: 'a-long-secret-for-compose',
    };
    const config = await loadConfig(wharfConfigSchema, { env });
    assert.equal(config.registry.http.addr, '127.0.0.1:5000');
    assert.equal(config.registry.storage.s3, undefined);
    assert.equal(config.index.events.secret, undefined);
  });

  it('refuses URLs the services fetch from on a port Node fetch blocks (6000: "fetch failed: bad port")', async () => {
    const file = await yamlFile(
      [
        'registry:',
        '  proxy:',
        '    upstreams:',
        '      - { name: up, url: "http://127.0.0.1:6000", prefixes: ["*"] }',
        'index:',
        '  upstream: { url: "http://127.0.0.1:6665" }',
        '',
      ].join('\n'),
    );
    const problems = await problemsOf({ file, env: {} });
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.ok(problems.some((l) => l.startsWith('config: registry.proxy.upstreams.0.url: port blocked by the Fetch standard')), problems.join('\n'));
    assert.ok(problems.some((l) => l.startsWith('config: index.upstream.url: port blocked by the Fetch standard')), problems.join('\n'));
    // Ports next to them, and URLs without a port, are fine.
    const ok = await yamlFile(
      'registry:\n  proxy:\n    upstreams:\n      - { name: up, url: "http://127.0.0.1:6100", prefixes: ["*"] }\n      - { name: hub, url: "https://registry-1.docker.io", prefixes: ["library/"] }\n',
    );
    const config = await loadConfig(wharfConfigSchema, { file: ok, env: {} });
    assert.equal(config.registry.proxy.upstreams.length, 2);
  });

  it('reads the values of a YAML file', async () => {
    const file = await yamlFile(
      [
        'registry:',
        '  http:',
        '    addr: 0.0.0.0:5001',
        '    requestTimeout: 30s',
        '  log:',
        '    level: debug',
        '    accessLog: false',
        '  storage:',
        '    filesystem:',
        '      rootDirectory: /srv/registry',
        '    delete:',
        '      enabled: true',
        '    uploadPurging:',
        '      age: 2h',
        '    maxManifestBytes: 1024',
        '  auth:',
        '    htpasswd:',
        '      path: /etc/wharf/htpasswd',
        '',
      ].join('\n'),
    );
    const { registry } = await loadConfig(wharfConfigSchema, { file, env: {} });
    assert.equal(registry.http.addr, '0.0.0.0:5001');
    assert.equal(registry.http.requestTimeout, '30s');
    assert.equal(registry.log.level, 'debug');
    assert.equal(registry.log.accessLog, false);
    assert.deepEqual(registry.storage.filesystem, { rootDirectory: '/srv/registry', maxOpenFiles: 512, openFileWait: '10s' });
    assert.equal(registry.storage.delete.enabled, true);
    // Unset siblings keep their defaults.
    assert.deepEqual(registry.storage.uploadPurging, { enabled: true, age: '2h', interval: '24h' });
    assert.equal(registry.storage.maxManifestBytes, 1024);
    assert.deepEqual(registry.auth.htpasswd, { path: '/etc/wharf/htpasswd', realm: 'wharf' });
  });

  it('reads the file named by WHARF_CONFIG, and prefers an explicit file', async () => {
    const a = await yamlFile('registry: {http: {addr: "127.0.0.1:6001"}}\n');
    const b = await yamlFile('registry: {http: {addr: "127.0.0.1:6002"}}\n');
    assert.equal((await loadConfig(wharfConfigSchema, { env: { WHARF_CONFIG: a } })).registry.http.addr, '127.0.0.1:6001');
    assert.equal(
      (await loadConfig(wharfConfigSchema, { file: b, env: { WHARF_CONFIG: a } })).registry.http.addr,
      '127.0.0.1:6002',
    );
  });

  it('treats an empty file as no settings', async () => {
    const file = await yamlFile('# nothing yet\n');
    const config = await loadConfig(wharfConfigSchema, { file, env: {} });
    assert.equal(config.registry.http.addr, '127.0.0.1:5000');
  });
});

describe('loadConfig: environment overlay', () => {
  it('sets a string option: WHARF_REGISTRY_HTTP_ADDR', async () => {
    const config = await loadConfig(wharfConfigSchema, { env: { WHARF_REGISTRY_HTTP_ADDR: '0.0.0.0:5999' } });
    assert.equal(config.registry.http.addr, '0.0.0.0:5999');
  });

  it('coerces booleans: WHARF_REGISTRY_STORAGE_DELETE_ENABLED=true', async () => {
    const on = await loadConfig(wharfConfigSchema, { env: { WHARF_REGISTRY_STORAGE_DELETE_ENABLED: 'true' } });
    assert.equal(on.registry.storage.delete.enabled, true);
    const off = await loadConfig(wharfConfigSchema, { env: { WHARF_REGISTRY_LOG_ACCESSLOG: 'false' } });
    assert.equal(off.registry.log.accessLog, false);
  });

  it('coerces numbers: WHARF_REGISTRY_STORAGE_MAXMANIFESTBYTES=1000 (keys match case-insensitively)', async () => {
    const config = await loadConfig(wharfConfigSchema, { env: { WHARF_REGISTRY_STORAGE_MAXMANIFESTBYTES: '1000' } });
    assert.equal(config.registry.storage.maxManifestBytes, 1000);
    assert.equal(typeof config.registry.storage.maxManifestBytes, 'number');
  });

  it('overrides the file, option by option', async () => {
    const file = await yamlFile('registry:\n  http:\n    addr: 127.0.0.1:7000\n    requestTimeout: 1m\n');
    const config = await loadConfig(wharfConfigSchema, {
      file,
      env: { WHARF_REGISTRY_HTTP_ADDR: '127.0.0.1:7001' },
    });
    assert.equal(config.registry.http.addr, '127.0.0.1:7001');
    assert.equal(config.registry.http.requestTimeout, '1m');
  });

  it('creates the sections a variable needs: WHARF_REGISTRY_AUTH_HTPASSWD_PATH', async () => {
    const config = await loadConfig(wharfConfigSchema, { env: { WHARF_REGISTRY_AUTH_HTPASSWD_PATH: './data/htpasswd' } });
    assert.deepEqual(config.registry.auth.htpasswd, { path: './data/htpasswd', realm: 'wharf' });
  });

  it('switches on a section without options from a JSON object: WHARF_REGISTRY_STORAGE_MEMORY={}', async () => {
    const config = await loadConfig(wharfConfigSchema, { env: { WHARF_REGISTRY_STORAGE_MEMORY: '{}' } });
    assert.deepEqual(config.registry.storage.memory, {});
    // memory replaces the default filesystem driver rather than clashing with it.
    assert.equal(config.registry.storage.filesystem, undefined);
    const none = await loadConfig(wharfConfigSchema, { env: { WHARF_REGISTRY_AUTH_NONE: '{}' } });
    assert.deepEqual(none.registry.auth.none, {});
  });

  it('does not take an empty or non-object value as switching a section on', async () => {
    for (const raw of ['', 'true', '[]', 'null']) {
      const [problem] = await problemsOf({ env: { WHARF_REGISTRY_STORAGE_MEMORY: raw } });
      assert.match(problem!, /^config: registry\.storage\.memory: .* \[from WHARF_REGISTRY_STORAGE_MEMORY\]$/, raw);
    }
  });

  it('names the variable that gave a section a bad key', async () => {
    assert.deepEqual(await problemsOf({ env: { WHARF_REGISTRY_STORAGE_MEMORY: '{"size":1}' } }), [
      'config: registry.storage.memory.size: unknown option (the section takes no options) [from WHARF_REGISTRY_STORAGE_MEMORY]',
    ]);
  });

  it('refuses a variable that names no option, naming it and the known options', async () => {
    const problems = await problemsOf({ env: { WHARF_REGISTRY_HTTP_ADR: '0.0.0.0:5000' } });
    assert.deepEqual(problems, [
      `config: WHARF_REGISTRY_HTTP_ADR: registry.http.adr: unknown option (known: ${jsonSchemaKeys('registry', 'http').join(', ')})`,
    ]);
    assert.match(problems[0]!, /\(known: addr, headerTimeout, idleTimeout, requestTimeout, keepAliveTimeout, maxRequestsPerConnection, maxConnections, perAddressShare, drainTimeout, bufferedBodyBytes, metrics, tls, debug\)/);
  });

  it('refuses an unknown section variable and one that goes below a leaf', async () => {
    const problems = await problemsOf({
      env: { WHARF_REGISTRY_STROAGE_DELETE_ENABLED: 'true', WHARF_REGISTRY_HTTP_ADDR_PORT: '1', WHARF_NOPE: 'x' },
    });
    assert.equal(problems.length, 3);
    assert.ok(problems.some((p) => p.startsWith('config: WHARF_NOPE: nope: unknown option (known: registry')));
    assert.ok(problems.some((p) => p.startsWith('config: WHARF_REGISTRY_STROAGE_DELETE_ENABLED: registry.stroage: unknown option')));
    assert.ok(problems.some((p) => p.startsWith('config: WHARF_REGISTRY_HTTP_ADDR_PORT: registry.http.addr.port: unknown option')));
  });

  it('names the variable an invalid value came from', async () => {
    assert.deepEqual(await problemsOf({ env: { WHARF_REGISTRY_HTTP_ADDR: 'no-port' } }), [
      'config: registry.http.addr: host:port [from WHARF_REGISTRY_HTTP_ADDR]',
    ]);
    const [bool] = await problemsOf({ env: { WHARF_REGISTRY_STORAGE_DELETE_ENABLED: 'yes' } });
    assert.match(bool!, /^config: registry\.storage\.delete\.enabled: .*boolean.* \[from WHARF_REGISTRY_STORAGE_DELETE_ENABLED\]$/);
    const [num] = await problemsOf({ env: { WHARF_REGISTRY_STORAGE_MAXMANIFESTBYTES: 'lots' } });
    assert.match(num!, /^config: registry\.storage\.maxManifestBytes: .* \[from WHARF_REGISTRY_STORAGE_MAXMANIFESTBYTES\]$/);
    const [level] = await problemsOf({ env: { WHARF_REGISTRY_LOG_LEVEL: 'loud' } });
    assert.match(level!, /^config: registry\.log\.level: .* \[from WHARF_REGISTRY_LOG_LEVEL\]$/);
  });

  it('answers a duration written as a bare number with the duration hint', async () => {
    const file = await yamlFile('index:\n  token:\n    ttl: 5\n');
    assert.deepEqual(await problemsOf({ file }), [
      `config: index.token.ttl: a duration such as 500ms, 30s, 10m, 168h or 7d [in ${file}]`,
    ]);
  });

  it('refuses a listen port above 65535 (caught by config check, not at listen time)', async () => {
    assert.deepEqual(await problemsOf({ env: { WHARF_INDEX_HTTP_ADDR: '127.0.0.1:99999' } }), [
      'config: index.http.addr: host:port with a port from 0 to 65535 [from WHARF_INDEX_HTTP_ADDR]',
    ]);
    const edges = await loadConfig(wharfConfigSchema, { env: { WHARF_REGISTRY_HTTP_ADDR: '[::1]:65535', WHARF_INDEX_HTTP_ADDR: '127.0.0.1:0' } });
    assert.equal(edges.registry.http.addr, '[::1]:65535');
    assert.equal(edges.index.http.addr, '127.0.0.1:0');
  });

  it('names the file, not a variable, for a bad value that came from the file', async () => {
    const file = await yamlFile('registry:\n  http:\n    addr: nowhere\n');
    assert.deepEqual(await problemsOf({ file, env: { WHARF_REGISTRY_LOG_LEVEL: 'debug' } }), [
      `config: registry.http.addr: host:port [in ${file}]`,
    ]);
  });
});

describe('loadConfig: file problems', () => {
  it('refuses an unknown key, naming it, the known options and the file', async () => {
    const file = await yamlFile('registry:\n  auth:\n    htpassword:\n      path: ./data/htpasswd\n');
    const known = jsonSchemaKeys('registry', 'auth');
    assert.deepEqual(known.slice(0, 2), ['none', 'htpasswd']);
    assert.deepEqual(await problemsOf({ file, env: {} }), [
      `config: registry.auth.htpassword: unknown option (known: ${known.join(', ')}) [in ${file}]`,
    ]);
  });

  it('reports every problem, one per line', async () => {
    const file = await yamlFile(
      'registry:\n  http:\n    addr: nowhere\n    timeout: 5s\n  log:\n    level: chatty\n  storage:\n    maxManifestBytes: -1\n',
    );
    const problems = await problemsOf({ file, env: {} });
    assert.equal(problems.length, 4, problems.join('\n'));
    assert.ok(problems.includes(`config: registry.http.addr: host:port [in ${file}]`));
    assert.ok(problems.some((p) => p.startsWith('config: registry.http.timeout: unknown option (known: addr, headerTimeout, idleTimeout, requestTimeout, keepAliveTimeout, maxRequestsPerConnection, maxConnections, perAddressShare, drainTimeout, bufferedBodyBytes, metrics, tls, debug)')));
    assert.ok(problems.some((p) => p.startsWith('config: registry.log.level: ')));
    assert.ok(problems.some((p) => p.startsWith('config: registry.storage.maxManifestBytes: ')));
    for (const p of problems) assert.ok(p.endsWith(` [in ${file}]`), p);
  });

  it('refuses two storage drivers', async () => {
    const file = await yamlFile('registry:\n  storage:\n    filesystem:\n      rootDirectory: /a\n    memory: {}\n');
    assert.deepEqual(await problemsOf({ file, env: {} }), [
      `config: registry.storage: exactly one storage driver may be configured (got filesystem, memory) [in ${file}]`,
    ]);
  });

  it('refuses two storage drivers when one comes from a variable, naming both sources', async () => {
    const file = await yamlFile('registry:\n  storage:\n    memory: {}\n');
    const [problem] = await problemsOf({
      file,
      env: { WHARF_REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: '/srv' },
    });
    assert.equal(
      problem,
      `config: registry.storage: exactly one storage driver may be configured (got filesystem, memory) [in ${file}; from WHARF_REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY]`,
    );
  });

  it('takes the azure driver from variables alone, and names what an azure block lacks', async () => {
    const { registry } = await loadConfig(wharfConfigSchema, {
      env: { WHARF_REGISTRY_STORAGE_AZURE_CONTAINER: 'wharf', WHARF_REGISTRY_STORAGE_AZURE_CONNECTIONSTRING: 'UseDevelopmentStorage=true' },
    });
    assert.equal(registry.storage.filesystem, undefined, 'azure replaces the default filesystem driver');
    assert.equal(registry.storage.azure?.container, 'wharf');
    const file = await yamlFile('registry:\n  storage:\n    azure:\n      container: Bad_Name\n      accountName: acct\n');
    const problems = await problemsOf({ file, env: {} });
    assert.ok(problems.some((p) => p.startsWith('config: registry.storage.azure.container: ')), problems.join('\n'));
    assert.ok(problems.some((p) => p.includes('needs connectionString, or accountName and accountKey')), problems.join('\n'));
    const both = await yamlFile('registry:\n  storage:\n    memory: {}\n    azure:\n      container: wharf\n      connectionString: x\n');
    assert.deepEqual(await problemsOf({ file: both, env: {} }), [
      `config: registry.storage: exactly one storage driver may be configured (got memory, azure) [in ${both}]`,
    ]);
  });

  it('refuses two auth methods', async () => {
    const file = await yamlFile('registry:\n  auth:\n    none: {}\n    htpasswd:\n      path: /x\n');
    const [problem] = await problemsOf({ file, env: {} });
    assert.match(problem!, /^config: registry\.auth: exactly one auth method may be configured \(got none, htpasswd\)/);
  });

  it('refuses invalid YAML with one line naming the file and the position', async () => {
    const file = await yamlFile('registry:\n  http: {addr: "127.0.0.1:5000"\n  log: [\n');
    const problems = await problemsOf({ file, env: {} });
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, new RegExp(`^config: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: invalid YAML: .+ at line \\d+, column \\d+$`));
  });

  it('refuses duplicate keys as invalid YAML', async () => {
    const file = await yamlFile('registry:\n  http:\n    addr: 127.0.0.1:1\n    addr: 127.0.0.1:2\n');
    const [problem] = await problemsOf({ file, env: {} });
    assert.match(problem!, /invalid YAML: Map keys must be unique/);
  });

  it('refuses a file that is not a mapping', async () => {
    const file = await yamlFile('- registry\n');
    assert.deepEqual(await problemsOf({ file, env: {} }), [`config: ${file}: must be a mapping`]);
  });

  it('refuses a file it cannot read, naming it', async () => {
    const file = join(dir, 'missing.yaml');
    const [problem] = await problemsOf({ file, env: {} });
    assert.match(problem!, new RegExp(`^config: cannot read ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*ENOENT`));
  });
});

describe('loadConfig: the result', () => {
  it('is deeply frozen', async () => {
    const file = await yamlFile('registry:\n  auth:\n    htpasswd:\n      path: /x\n');
    const config: WharfConfig = await loadConfig(wharfConfigSchema, { file, env: {} });
    const objects: unknown[] = [];
    const walk = (value: unknown) => {
      if (value && typeof value === 'object') {
        objects.push(value);
        Object.values(value).forEach(walk);
      }
    };
    walk(config);
    assert.ok(objects.length >= 8, `walked ${objects.length} objects`);
    for (const value of objects) assert.equal(Object.isFrozen(value), true);
    assert.throws(() => {
      (config.registry.http as { addr: string }).addr = '0.0.0.0:1';
    }, TypeError);
    assert.throws(() => {
      (config.registry.auth.htpasswd as { path: string }).path = '/y';
    }, TypeError);
    assert.equal(config.registry.http.addr, '127.0.0.1:5000');
  });

  it('shares nothing between loads', async () => {
    const a = await loadConfig(wharfConfigSchema, { env: {} });
    const b = await loadConfig(wharfConfigSchema, { env: { WHARF_REGISTRY_HTTP_ADDR: '127.0.0.1:1' } });
    assert.equal(a.registry.http.addr, '127.0.0.1:5000');
    assert.equal(b.registry.http.addr, '127.0.0.1:1');
  });
});
