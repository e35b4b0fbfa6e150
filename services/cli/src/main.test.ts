// The `wharf` command as a user runs it: a child process of the compiled main.js.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

// This file runs as services/cli/dist/src/main.test.js, beside main.js.
const mainJs = fileURLToPath(new URL('./main.js', import.meta.url));

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wharf-cli-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The environment without any WHARF_ variable of the machine running the tests. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('WHARF_')) env[k] = v;
  return { ...env, ...extra };
}

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

interface Running {
  /** Resolves when the process has exited. */
  done: Promise<Result>;
  kill(signal: NodeJS.Signals): void;
  /** Resolves with the first stdout line matching, or rejects when the process exits first. */
  waitFor(pattern: RegExp): Promise<string>;
}

function start(args: string[], env: Record<string, string> = {}, timeoutMs = 20_000): Running {
  const started = Date.now();
  const child = spawn(process.execPath, [mainJs, ...args], { cwd: dir, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const watchers: Array<{ pattern: RegExp; resolve: (line: string) => void; reject: (e: Error) => void }> = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const w of [...watchers]) {
      const line = stdout.split('\n').find((l) => w.pattern.test(l));
      if (line !== undefined) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<Result>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      for (const w of watchers.splice(0)) w.reject(new Error(`exited (${code ?? signal}) first; stderr: ${stderr}`));
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
  return {
    done,
    kill: (signal) => child.kill(signal),
    waitFor: (pattern) => new Promise((resolve, reject) => watchers.push({ pattern, resolve, reject })),
  };
}

const run = (args: string[], env: Record<string, string> = {}) => start(args, env).done;

async function yamlFile(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

/** A port nothing listens on right now (the kernel picks it). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('wharf: usage', () => {
  it('--help prints the usage and exits 0', async () => {
    for (const args of [['--help'], ['-h'], ['registry', '--help']]) {
      const r = await run(args);
      assert.equal(r.code, 0, args.join(' '));
      assert.match(r.stdout, /^usage: wharf <command> \[options\]/);
      for (const command of ['registry', 'serve', 'config check FILE', 'config schema', '--config FILE']) {
        assert.ok(r.stdout.includes(command), `usage mentions ${command}`);
      }
    }
  });

  it('no command prints the usage and exits 2', async () => {
    const r = await run([]);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /^usage: wharf/);
  });

  it('an unknown command exits 2 naming it', async () => {
    const r = await run(['registr']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^wharf: unknown command "registr"/);
    assert.match(r.stderr, /usage: wharf/);
    assert.equal(r.stdout, '');
  });

  it('an unknown option is a usage error too (exit 2)', async () => {
    const r = await run(['registry', '--confg', 'x.yaml']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^wharf: Unknown option '--confg'/);
    assert.match(r.stderr, /usage: wharf/);
  });

  it('--workers must be a whole number from 1 to 64 (exit 2)', async () => {
    for (const workers of ['0', '65', 'two', '1.5']) {
      const r = await run(['registry', '--workers', workers]);
      assert.equal(r.code, 2, workers);
      assert.match(r.stderr, /--workers takes a whole number from 1 to 64/);
    }
  });

  it('config without a known subcommand exits 2', async () => {
    const r = await run(['config', 'lint']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /usage: wharf config check FILE \| wharf config schema/);
  });
});

describe('wharf config', () => {
  it('check FILE prints the effective configuration as YAML', async () => {
    const file = await yamlFile(
      'check-good.yaml',
      'registry:\n  http:\n    addr: 0.0.0.0:5001\n  storage:\n    delete:\n      enabled: true\n',
    );
    const r = await run(['config', 'check', file]);
    assert.equal(r.code, 0, r.stderr);
    const printed = parseYaml(r.stdout) as { registry: Record<string, Record<string, unknown>> };
    assert.equal(printed.registry.http!.addr, '0.0.0.0:5001');
    assert.equal(printed.registry.http!.requestTimeout, '0s'); // defaults filled in
    assert.deepEqual(printed.registry.storage!.delete, { enabled: true });
    assert.deepEqual(printed.registry.storage!.filesystem, { rootDirectory: './data/registry', maxOpenFiles: 512, openFileWait: '10s' });
    assert.equal(printed.registry.storage!.maxManifestBytes, 4194304);
  });

  it('check applies the environment overlay, and reads --config when no FILE is given', async () => {
    const file = await yamlFile('check-env.yaml', 'registry:\n  http:\n    addr: 127.0.0.1:5001\n');
    const r = await run(['config', 'check', '--config', file], {
      WHARF_REGISTRY_LOG_LEVEL: 'debug',
      WHARF_REGISTRY_STORAGE_MAXMANIFESTBYTES: '1000',
    });
    assert.equal(r.code, 0, r.stderr);
    const printed = parseYaml(r.stdout) as { registry: Record<string, Record<string, unknown>> };
    assert.equal(printed.registry.http!.addr, '127.0.0.1:5001');
    assert.equal(printed.registry.log!.level, 'debug');
    assert.equal(printed.registry.storage!.maxManifestBytes, 1000);
  });

  it('check never prints a secret, from the file or the environment', async () => {
    const file = await yamlFile(
      'check-secrets.yaml',
      [
        'registry:',
        '  storage:',
        '    s3: { bucket: b, endpoint: "http://127.0.0.1:7480", forcePathStyle: true, accessKey: AKIDWALK }',
        '  proxy:',
        '    upstreams:',
        '      - { name: up, url: "http://127.0.0.1:6100", prefixes: ["*"], username: bot, password: file-password-1 }',
        '  notifications:',
        '    endpoints:',
        '      - { name: audit, url: "http://127.0.0.1:59/e", headers: { Authorization: "Bearer header-secret-1" } }',
        'index:',
        '  events: { secret: events-secret-0123456789 }',
        '  accounts: { initialAdmin: { username: root, password: admin-password-1, email: r@x.y } }',
        '',
      ].join('\n'),
    );
    const r = await run(['config', 'check', file], { WHARF_REGISTRY_STORAGE_S3_SECRETKEY: 'env-secret-key-1' });
    assert.equal(r.code, 0, r.stderr);
    for (const secret of ['env-secret-key-1', 'file-password-1', 'header-secret-1', 'events-secret-0123456789', 'admin-password-1'])
      assert.ok(!r.stdout.includes(secret), `${secret} printed`);
    const printed = parseYaml(r.stdout) as {
      registry: {
        storage: { s3: Record<string, unknown> };
        proxy: { upstreams: Array<Record<string, unknown>> };
        notifications: { endpoints: Array<{ headers: Record<string, string> }> };
      };
    };
    assert.equal(printed.registry.storage.s3.secretKey, '<redacted>');
    assert.equal(printed.registry.storage.s3.accessKey, 'AKIDWALK'); // an identifier, not a secret
    assert.equal(printed.registry.proxy.upstreams[0]!.password, '<redacted>');
    assert.equal(printed.registry.proxy.upstreams[0]!.username, 'bot');
    assert.deepEqual(printed.registry.notifications.endpoints[0]!.headers, { Authorization: '<redacted>' });
  });

  it('check of a bad file exits 1 with one line per problem and nothing on stdout', async () => {
    const file = await yamlFile(
      'check-bad.yaml',
      'registry:\n  http:\n    addr: nowhere\n  auth:\n    htpassword:\n      path: ./x\n  storage:\n    filesystem: {}\n    memory: {}\n',
    );
    const r = await run(['config', 'check', file]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 3, r.stderr);
    for (const line of lines) {
      assert.match(line, /^config: registry\.\S+: .+ \[in .+check-bad\.yaml\]$/);
    }
    assert.ok(lines.includes(`config: registry.http.addr: host:port [in ${file}]`), r.stderr);
    assert.ok(
      lines.some((l) => l.startsWith('config: registry.auth.htpassword: unknown option (known: none, htpasswd')),
      r.stderr,
    );
    assert.ok(lines.some((l) => l.startsWith('config: registry.storage: exactly one storage driver')), r.stderr);
  });

  it('check of invalid YAML exits 1 with one line', async () => {
    const file = await yamlFile('check-broken.yaml', 'registry: [\n');
    const r = await run(['config', 'check', file]);
    assert.equal(r.code, 1);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /^config: .*check-broken\.yaml: invalid YAML: .+ at line \d+, column \d+$/);
  });

  it('check of a missing file exits 1 naming it', async () => {
    const r = await run(['config', 'check', 'no-such.yaml']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^config: cannot read no-such\.yaml: .*ENOENT/);
  });

  it('schema prints the JSON Schema of the whole configuration', async () => {
    const r = await run(['config', 'schema']);
    assert.equal(r.code, 0, r.stderr);
    const schema = JSON.parse(r.stdout) as {
      type: string;
      properties: { registry: { type: string; properties: Record<string, { properties?: Record<string, unknown> }> } };
    };
    assert.equal(schema.type, 'object');
    assert.equal(schema.properties.registry.type, 'object');
    for (const section of ['http', 'log', 'storage', 'auth']) {
      assert.ok(schema.properties.registry.properties[section], `registry.${section}`);
    }
    assert.deepEqual(
      (schema.properties.registry.properties.http!.properties!.addr as { default: string }).default,
      '127.0.0.1:5000',
    );
  });
});

describe('wharf registry', () => {
  it('with an unknown variable exits 1 at once with the message', async () => {
    const r = await run(['registry'], { WHARF_REGISTRY_HTTP_ADR: '127.0.0.1:5000' });
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trimEnd(),
      'config: WHARF_REGISTRY_HTTP_ADR: registry.http.adr: unknown option (known: addr, headerTimeout, idleTimeout, requestTimeout, keepAliveTimeout, maxRequestsPerConnection, maxConnections, perAddressShare, drainTimeout, bufferedBodyBytes, metrics, tls, debug)',
    );
    assert.ok(r.ms < 10_000, `took ${r.ms}ms`);
  });

  it('with an invalid value from a variable exits 1 naming the variable', async () => {
    const r = await run(['registry'], { WHARF_REGISTRY_HTTP_ADDR: 'localhost' });
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trimEnd(), 'config: registry.http.addr: host:port [from WHARF_REGISTRY_HTTP_ADDR]');
  });

  it('exits 1 with the reason when its port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const r = await run(['registry'], {
        WHARF_REGISTRY_HTTP_ADDR: `127.0.0.1:${port}`,
        WHARF_REGISTRY_STORAGE_MEMORY: '{}',
      });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /EADDRINUSE/);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('serves /v2/ on its port and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const file = await yamlFile(
      'run.yaml',
      `registry:\n  http:\n    addr: 127.0.0.1:${port}\n  storage:\n    memory: {}\n  log:\n    level: info\n`,
    );
    const registry = start(['registry', '--config', file]);
    try {
      const line = await registry.waitFor(/registry listening/);
      assert.equal((JSON.parse(line) as { addr: string }).addr, `127.0.0.1:${port}`);

      const res = await fetch(`http://127.0.0.1:${port}/v2/`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('docker-distribution-api-version'), 'registry/2.0');
      await res.arrayBuffer();

      const missing = await fetch(`http://127.0.0.1:${port}/v2/demo/app/manifests/latest`);
      assert.equal(missing.status, 404);
      const body = (await missing.json()) as { errors: Array<{ code: string }> };
      assert.equal(body.errors.length, 1);
      assert.ok(['MANIFEST_UNKNOWN', 'NAME_UNKNOWN'].includes(body.errors[0]!.code), body.errors[0]!.code);
    } finally {
      registry.kill('SIGTERM');
    }
    const r = await registry.done;
    assert.equal(r.signal, null, `killed by ${r.signal}; stderr: ${r.stderr}`);
    assert.equal(r.code, 0, r.stderr);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/v2/`), 'nothing listens after the exit');
  });
});

describe('wharf: options a command does not take', () => {
  it('are a usage error (exit 2) naming them, before any config is read or anything starts', async () => {
    const cases: [string[], RegExp][] = [
      [['index', '--workers', '4'], /^wharf index: --workers does not apply to this command \(it takes --config\)/],
      [['gc', '--workers', '2'], /^wharf gc: --workers does not apply/],
      [['registry', '--dry-run'], /^wharf registry: --dry-run does not apply/],
      [['catalog', 'rebuild', '--grace', '1h'], /^wharf catalog: --grace does not apply/],
      [['config', 'check', '--admin'], /^wharf config: --admin does not apply/],
      [['registry', 'extra'], /^wharf registry: unexpected argument "extra"/],
      [['gc', 'now'], /^wharf gc: unexpected argument "now"/],
      [['user', 'add', 'alice', 'bob'], /^wharf user: unexpected argument "bob"/],
    ];
    for (const [args, message] of cases) {
      const r = await run([...args, '--config', join(dir, 'missing.yaml')]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /cannot read/, 'no config was read');
    }
  });
});
