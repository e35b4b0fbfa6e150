// Maps WHARF_<PATH> environment variables onto the config document: WHARF_REGISTRY_HTTP_ADDR
// sets registry.http.addr. Path segments match schema keys case-insensitively; a variable that
// names no option is an error, so a typo never passes silently. WHARF_CONFIG names the file.
import type { z } from 'zod';
import { knownOptions } from './issues.js';
import { kindOf, objectKeys } from './schema-walk.js';

export interface ValueSources {
  file: string | undefined;
  /** option path ("registry.http.addr") → environment variable that set it */
  env: Map<string, string>;
}

const prefix = 'WHARF_';
/** Variables under the prefix that are not options: ours, the workspace tools' (ceph-rgw.sh
 *  exports WHARF_S3_*, which the S3 example maps onto registry.storage.s3.*) and the one
 *  docker-compose.yml reads, so a shell that set them up can still start Wharf. */
const reserved = new Set([
  'WHARF_CONFIG',
  'WHARF_DOCKERD_DIR',
  'WHARF_WORKER_INDEX',
  'WHARF_S3_ENDPOINT',
  'WHARF_S3_REGION',
  'WHARF_S3_ACCESS_KEY',
  'WHARF_S3_SECRET_KEY',
  'WHARF_CEPH_DIR',
  'WHARF_CEPH_OBJECTSTORE',
  'WHARF_EVENTS_SECRET',
]);

function coerce(kind: string, raw: string): unknown {
  switch (kind) {
    case 'number':
      return raw.trim() === '' ? raw : Number(raw);
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    case 'array':
      return raw.split(',').map((s) => s.trim()).filter(Boolean);
    case 'object': {
      // A section that has no leaves of its own, such as registry.storage.memory or
      // registry.auth.none, is switched on by a JSON object: WHARF_REGISTRY_STORAGE_MEMORY={}.
      try {
        const value: unknown = JSON.parse(raw);
        if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value;
      } catch {
        // not JSON: left as the string, which the schema then refuses with the variable's name
      }
      return raw;
    }
    default:
      return raw;
  }
}

/** Applies the overlay in place; returns one problem line per variable that names no option. */
export function envOverlay(
  schema: z.ZodType,
  doc: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  sources: ValueSources,
): string[] {
  const problems: string[] = [];
  for (const [name, raw] of Object.entries(env).sort(([a], [b]) => a.localeCompare(b))) {
    if (!name.startsWith(prefix) || reserved.has(name) || raw === undefined) continue;
    const segments = name.slice(prefix.length).toLowerCase().split('_');
    let node = schema;
    let target = doc;
    const path: string[] = [];
    let ok = true;
    for (const [i, segment] of segments.entries()) {
      const shape = objectKeys(node);
      const key = shape && Object.keys(shape).find((k) => k.toLowerCase() === segment);
      if (!shape || !key) {
        const known = shape ? ` (${knownOptions(Object.keys(shape))})` : '';
        problems.push(`config: ${name}: ${[...path, segment].join('.')}: unknown option${known}`);
        ok = false;
        break;
      }
      path.push(key);
      node = shape[key]!;
      if (i < segments.length - 1) {
        const next = target[key];
        if (typeof next !== 'object' || next === null || Array.isArray(next)) target[key] = {};
        target = target[key] as Record<string, unknown>;
      } else {
        target[key] = coerce(kindOf(node), raw);
      }
    }
    if (ok) sources.env.set(path.join('.'), name);
  }
  return problems;
}
