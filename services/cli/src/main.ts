#!/usr/bin/env node
// The `wharf` command: wharf registry | index | serve | user add|passwd | config check FILE | config schema.
import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import { runConfigCommand } from './commands/config.js';
import { runGcCommand } from './commands/gc.js';
import { runRegistry } from './commands/registry.js';
import { runServe } from './commands/serve.js';
import { runIndex } from './commands/index.js';
import { runUserCommand } from './commands/user.js';
import { runCatalogCommand } from './commands/catalog.js';
import { ConfigError } from './config/load.js';
import { commandMisuse } from './command-options.js';

const usage = `usage: wharf <command> [options]

commands:
  registry              run the registry (v2 API) alone
  index                 run the index (accounts, repositories, token server) alone
  serve                 run the index and the registry together on embedded defaults
  user add NAME         create an account (password on standard input; --admin, --email)
  user passwd NAME      set an account's password (on standard input); signs it out everywhere
  config check FILE     validate a configuration file and print the effective config
  config schema         print the configuration's JSON Schema
  gc                    collect garbage in the registry's storage (safe while serving)
  catalog rebuild       rebuild the registry's catalog index from its storage tree

options:
  --config FILE         configuration file (YAML); also WHARF_CONFIG
  --workers N           registry worker processes sharing the port (default 1)
  --admin               with user add: a site admin
  --email ADDRESS       with user add: the account's email
  --dry-run             with gc: list what would be freed, remove nothing
  --grace DURATION      with gc: keep what is newer than this (default registry.storage.gc.gracePeriod)
  -h, --help            this text

Every option can be set by an environment variable: WHARF_ plus its path in upper case,
e.g. WHARF_REGISTRY_HTTP_ADDR=127.0.0.1:5050 or WHARF_REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY=/srv.`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        workers: { type: 'string' },
        admin: { type: 'boolean' },
        email: { type: 'string' },
        'dry-run': { type: 'boolean' },
        grace: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    // An unknown option or a missing option value is a usage error, like an unknown command.
    console.error(`wharf: ${(err as Error).message}\n\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  const workers = values.workers === undefined ? 1 : Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
    console.error('wharf: --workers takes a whole number from 1 to 64');
    return 2;
  }
  if (values.help || !command) {
    console.log(usage);
    return command || values.help ? 0 : 2;
  }
  const misuse = commandMisuse(command, values, rest);
  if (misuse) {
    console.error(`${misuse}\n\n${usage}`);
    return 2;
  }
  switch (command) {
    case 'registry':
      return runRegistry(values.config, workers);
    case 'serve':
      return runServe(values.config, workers);
    case 'index':
      return runIndex(values.config);
    case 'user':
      return runUserCommand(rest, { config: values.config, admin: values.admin, email: values.email });
    case 'config':
      return runConfigCommand(rest, values.config);
    case 'gc':
      return runGcCommand({ config: values.config, dryRun: values['dry-run'], grace: values.grace });
    case 'catalog':
      return runCatalogCommand(rest, values.config);
    default:
      console.error(`wharf: unknown command ${JSON.stringify(command)}\n\n${usage}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError) console.error(err.message);
    else console.error(`wharf: ${(err as Error).message ?? String(err)}`);
    process.exitCode = 1;
    // A cluster worker's IPC channel would keep it alive: exit, so the primary sees it fail.
    if (cluster.isWorker) process.exit(1);
  },
);
