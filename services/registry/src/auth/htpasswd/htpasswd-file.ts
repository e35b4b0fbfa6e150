// Reads an htpasswd file. Only bcrypt entries ($2a$/$2b$/$2y$, as `htpasswd -B` writes) are
// accepted: MD5, SHA1, crypt and plain entries are refused at start-up, naming the line.
import { readFile } from 'node:fs/promises';

export class HtpasswdError extends Error {}

const bcryptHash = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

export function parseHtpasswd(text: string, source: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    const user = colon > 0 ? line.slice(0, colon) : '';
    const hash = line.slice(colon + 1);
    if (!user) throw new HtpasswdError(`${source}:${index + 1}: expected "user:hash"`);
    if (!bcryptHash.test(hash)) {
      throw new HtpasswdError(`${source}:${index + 1}: user ${JSON.stringify(user)} has a non-bcrypt hash; only bcrypt entries (htpasswd -B) are accepted`);
    }
    entries.set(user, hash.startsWith('$2y$') ? `$2b$${hash.slice(4)}` : hash); // bcrypt (npm) rejects $2y$, the same algorithm as $2b$
  }
  return entries;
}

export async function loadHtpasswd(path: string): Promise<Map<string, string>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new HtpasswdError(`cannot read htpasswd file ${path}: ${(err as Error).message}`);
  }
  return parseHtpasswd(text, path);
}
