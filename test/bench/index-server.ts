// Starting the index under test: `wharf index` on a free 127.0.0.1 port with a fresh database in
// a temporary directory, default configuration apart from address, database path, log level and
// the login rate limits (raised so that they never answer 429 during a load phase). The bench
// user is created beforehand with `wharf user add` (password on stdin), as an operator would.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { cleanEnv, freePort, launch, repoRoot, tempDir, type RunningServer } from './servers.js';

/** The account the workloads log in as. */
export const benchUser = { username: 'benchuser', password: 'bench-password-1' };

/** Raised login rate limits (requests per client address, and failed logins per account, per window). */
export const rateLimitOverride = 100_000_000;

export interface RunningIndex {
  server: RunningServer;
  /** index.accounts.bcryptCost of the effective configuration (`wharf config check`). */
  bcryptCost: number;
  /** index.rateLimit.window of the effective configuration. */
  rateLimitWindow: string;
}

const main = join(repoRoot, 'services/cli/dist/src/main.js');

function wharf(args: string[], env: NodeJS.ProcessEnv, input?: string): string {
  try {
    return execFileSync(process.execPath, [main, ...args], { env, input, encoding: 'utf8', timeout: 60_000, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as Error & { stderr?: string; stdout?: string };
    throw new Error(`wharf ${args.join(' ')}: ${e.message}\n${e.stderr ?? ''}${e.stdout ?? ''}`);
  }
}

export async function startIndex(): Promise<RunningIndex> {
  const dir = tempDir('index');
  const port = await freePort();
  const env = {
    ...cleanEnv(),
    WHARF_INDEX_HTTP_ADDR: `127.0.0.1:${port}`,
    WHARF_INDEX_DATABASE_PATH: join(dir, 'index.db'),
    WHARF_INDEX_LOG_LEVEL: 'info',
    WHARF_INDEX_RATELIMIT_PERADDRESS: String(rateLimitOverride),
    WHARF_INDEX_RATELIMIT_FAILEDPERACCOUNT: String(rateLimitOverride),
    NODE_ENV: 'production',
  };
  // The effective configuration, from the same loader the index uses.
  const effective = wharf(['config', 'check'], env);
  const indexPart = effective.slice(effective.search(/^index:/m));
  const bcryptCost = Number(/^\s+bcryptCost:\s*(\d+)/m.exec(indexPart)?.[1]);
  const rateLimitWindow = /^\s+window:\s*(\S+)/m.exec(indexPart.slice(indexPart.search(/^\s+rateLimit:/m)))?.[1] ?? '?';
  const perAddress = Number(/^\s+perAddress:\s*(\d+)/m.exec(indexPart)?.[1]);
  if (!(bcryptCost >= 4) || perAddress !== rateLimitOverride) {
    throw new Error(`unexpected effective index configuration (bcryptCost ${bcryptCost}, perAddress ${perAddress}):\n${indexPart}`);
  }
  wharf(['user', 'add', benchUser.username], env, `${benchUser.password}\n`);
  const extra = process.env.WHARF_BENCH_INDEX_NODE_ARGS ? process.env.WHARF_BENCH_INDEX_NODE_ARGS.split(' ').filter(Boolean) : [];
  // GET /keys (the JWKS) answers 200 once the signing key is loaded and the server listens.
  const server = await launch({ kind: 'index', command: process.execPath, args: [...extra, main, 'index'], env, dir, port, readyPath: '/keys' });
  return { server, bcryptCost, rateLimitWindow };
}
