// Starts CNCF Distribution (`docker-registry serve`, Debian package docker-registry) on a free
// loopback port with filesystem storage, for interoperability tests against the reference.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch } from './launch.js';
import { answers } from './process.js';
import { dataDirFor, type RegistryOptions, type RunningRegistry } from './stack.js';

export const distributionBinary = 'docker-registry';

/** Distribution as a pull-through cache of `remoteUrl` (its `proxy` section). */
export interface DistributionProxy {
  remoteUrl: string;
  username?: string;
  password?: string;
}

export type DistributionOptions = RegistryOptions & { proxy?: DistributionProxy };

function configYaml(dataDir: string, host: string, opts: DistributionOptions): string {
  const lines = [
    'version: 0.1',
    'log:',
    `  level: ${opts.logLevel ?? 'warn'}`,
    '  accesslog:',
    '    disabled: true',
    'storage:',
    ...distributionStorageYaml(dataDir, opts),
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
  const token = opts.token;
  if (token) {
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${JSON.stringify(token.realm)}`,
      `    service: ${JSON.stringify(token.service)}`,
      `    issuer: ${JSON.stringify(token.issuer)}`,
      `    rootcertbundle: ${JSON.stringify(token.rootCertBundle)}`,
    );
  }
  if (opts.proxy) {
    lines.push('proxy:', `  remoteurl: ${JSON.stringify(opts.proxy.remoteUrl)}`);
    if (opts.proxy.username) lines.push(`  username: ${JSON.stringify(opts.proxy.username)}`, `  password: ${JSON.stringify(opts.proxy.password ?? '')}`);
  }
  return lines.join('\n') + '\n';
}

/** The storage driver block: Distribution's filesystem driver, or its s3 driver on a Ceph bucket. */
export function distributionStorageYaml(dataDir: string, opts: Pick<RegistryOptions, 's3' | 'redirect'>): string[] {
  const s3 = opts.s3;
  if (!s3) return ['  filesystem:', `    rootdirectory: ${JSON.stringify(dataDir)}`];
  // With a regionendpoint, Distribution 2.8 addresses the bucket path-style and takes any region.
  return [
    '  s3:',
    `    accesskey: ${JSON.stringify(s3.accessKey)}`,
    `    secretkey: ${JSON.stringify(s3.secretKey)}`,
    `    region: ${JSON.stringify(s3.region)}`,
    `    regionendpoint: ${JSON.stringify(s3.endpoint)}`,
    `    bucket: ${JSON.stringify(s3.bucket)}`,
    `    rootdirectory: ${JSON.stringify(s3.rootDirectory ?? '')}`,
    '    v4auth: true',
    '  redirect:',
    `    disable: ${!opts.redirect}`,
  ];
}

export async function startDistribution(opts: DistributionOptions = {}): Promise<RunningRegistry> {
  // Distribution 2.8 knows no jwks, and without a bundle it would trust no token at all.
  if (opts.token && (opts.token.jwks !== undefined || opts.token.rootCertBundle === undefined)) {
    throw new Error('startDistribution: token auth needs rootCertBundle and takes no jwks');
  }
  const { dataDir, removeDataDir } = await dataDirFor(opts, 'distribution-e2e-');
  const confDir = await mkdtemp(join(tmpdir(), 'distribution-conf-'));
  const configPath = join(confDir, 'config.yml');
  const server = await launch({
    name: distributionBinary,
    command: async ([host]) => {
      await writeFile(configPath, configYaml(dataDir, host!, opts));
      // Distribution reads REGISTRY_* variables as config overrides: none may leak in.
      // Distribution 2.8 crashes at start when AWS_CA_BUNDLE is set (ceph-rgw.sh's notes).
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REGISTRY_') && k !== 'AWS_CA_BUNDLE'));
      return { file: distributionBinary, args: ['serve', configPath], env };
    },
    // With a token server configured Distribution must challenge; otherwise 200 or htpasswd's 401.
    ready: ([host]) => answers(`http://${host}/v2/`, opts.token ? [401] : [200, 401]),
    portTaken: /address already in use/,
    cleanup: async () => {
      await rm(confDir, { recursive: true, force: true });
      await removeDataDir();
    },
  });
  const host = server.hosts[0]!;
  return { url: `http://${host}`, host, dataDir, logs: server.logs, pid: server.pid, stop: server.stop };
}
