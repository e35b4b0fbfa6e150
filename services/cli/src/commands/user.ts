// `wharf user add NAME [--admin] [--email E]`: creates an account directly in the index's
// database; `wharf user passwd NAME` sets a password (an operator locked out of the only admin
// account has no other way back). The password is read from standard input (one line), or
// prompted for on a terminal without echo, so it never appears in the process list or history.
import { createInterface } from 'node:readline';
import { createAccount, openIndexStore, setPassword } from '@wharf/index';
import { loadConfig } from '../config/load.js';
import { wharfConfigSchema } from '../config/schema.js';

async function readPassword(): Promise<string> {
  const input = process.stdin;
  if (input.isTTY) {
    process.stderr.write('password: ');
    input.setRawMode(true);
    return new Promise((resolve, reject) => {
      let value = '';
      const onData = (chunk: Buffer) => {
        for (const ch of chunk.toString('utf8')) {
          if (ch === '\r' || ch === '\n') {
            input.setRawMode(false);
            input.off('data', onData);
            input.pause();
            process.stderr.write('\n');
            resolve(value);
            return;
          }
          if (ch === '\u0003') {
            input.setRawMode(false);
            reject(new Error('cancelled'));
            return;
          }
          value = ch === '\u007f' ? value.slice(0, -1) : value + ch;
        }
      };
      input.on('data', onData);
      input.resume();
    });
  }
  const lines = createInterface({ input });
  for await (const line of lines) return line;
  throw new Error('no password on standard input');
}

export async function runUserCommand(args: string[], options: { config?: string | undefined; admin?: boolean | undefined; email?: string | undefined }): Promise<number> {
  const [sub, username] = args;
  if ((sub !== 'add' && sub !== 'passwd') || !username || args.length > 2) {
    console.error('usage: wharf user add NAME [--admin] [--email ADDRESS]   (password on standard input)\n       wharf user passwd NAME                        (password on standard input)');
    return 2;
  }
  if (sub === 'passwd' && (options.admin !== undefined || options.email !== undefined)) {
    console.error('wharf: user passwd takes no --admin or --email (it sets the password only)');
    return 2;
  }
  const config = await loadConfig(wharfConfigSchema, { file: options.config });
  const password = await readPassword();
  const store = openIndexStore(config.index.database.path);
  if (sub === 'passwd') {
    try {
      await setPassword(store, { bcryptCost: config.index.accounts.bcryptCost }, username, password);
      console.log(`password of ${username} set; its refresh tokens and browser sessions are revoked`);
      return 0;
    } finally {
      store.close();
    }
  }
  try {
    const user = await createAccount(store, { bcryptCost: config.index.accounts.bcryptCost }, {
      username,
      email: options.email ?? `${username}@localhost`,
      password,
      isAdmin: options.admin === true,
    });
    store.audit.record({ actor: null, action: 'user.create', target: user.username, detail: { via: 'cli', admin: user.isAdmin } });
    console.log(`created ${user.isAdmin ? 'admin ' : ''}user ${user.username}`);
    return 0;
  } finally {
    store.close();
  }
}
