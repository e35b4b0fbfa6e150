// The ordered list of schema migrations; the database's user_version is the number applied.
import { initialSchema } from './001-initial.js';
import { v1Schema } from './002-v1.js';
import { upstreamCacheSchema } from './003-upstream-cache.js';
import { uiSchema } from './004-ui.js';
import { retiredNamesSchema } from './005-retired-names.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  { version: 1, name: 'initial', sql: initialSchema },
  { version: 2, name: 'v1', sql: v1Schema },
  { version: 3, name: 'upstream-cache', sql: upstreamCacheSchema },
  { version: 4, name: 'ui', sql: uiSchema },
  { version: 5, name: 'retired-names', sql: retiredNamesSchema },
];
