// Starts CNCF Distribution (`docker-registry serve`, Debian package docker-registry) on a free
// loopback port with filesystem storage, for interoperability tests against the reference.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answers, captureOutput, freePort, stopChild, track, waitFor } from './process.js';
import type { RegistryOptions, RunningRegistry } from './stack.js';

export const distributionBinary = 'docker-registry';

function configYaml(dataDir: string, host: string, opts: RegistryOptions): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(dataDir)}`,
    '  delete:',
    `    enabled: ${opts.deleteEnabled ?? true}`,
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: ${host}`,
  ];
  if (opts.htpasswdPath) {
    lines.push('auth:', '  htpasswd:', `    realm: ${opts.realm ?? 'distribution-e2e'}`, `    path: ${JSON.stringify(opts.htpasswdPath)}`);
  }
  return lines.join('\n') + '\n';
}

export async function startDistribution(opts: RegistryOptions = {}): Promise<RunningRegistry> {
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'distribution-e2e-')));
  const confDir = await mkdtemp(join(tmpdir(), 'distribution-conf-'));
  const cleanup = async () => {
    await rm(confDir, { recursive: true, force: true });
    if (ownDir) await rm(dataDir, { recursive: true, force: true });
  };
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    const configPath = join(confDir, 'config.yml');
    await writeFile(configPath, configYaml(dataDir, host, opts));
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REGISTRY_')));
    const child = spawn(distributionBinary, ['serve', configPath], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    track(child);
    const logs = captureOutput(child);
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    let failed: Error | undefined;
    void spawnError.then((e) => (failed = e));
    const url = `http://${host}`;
    try {
      await waitFor(`distribution on ${host}`, async () => {
        if (failed) throw failed;
        if (child.exitCode !== null) throw new Error(`docker-registry exited ${child.exitCode}:\n${logs()}`);
        return answers(`${url}/v2/`, [200, 401]);
      });
    } catch (err) {
      lastError = err;
      await stopChild(child);
      if (/address already in use/.test(logs())) continue;
      break;
    }
    return {
      url,
      host,
      dataDir,
      logs,
      async stop() {
        await stopChild(child);
        await cleanup();
      },
    };
  }
  await cleanup();
  throw lastError;
}
