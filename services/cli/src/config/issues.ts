// Turns a zod issue into one line naming the option and where its value came from, e.g.
// "config: registry.auth.htpassword: unknown option (known: none, htpasswd) [in wharf.yaml]".
import type { z } from 'zod';
import type { ValueSources } from './env-overlay.js';
import { objectKeys, schemaAt } from './schema-walk.js';

/**
 * Where the value at `path` came from. An option set by a variable came from it alone; a section
 * (a check over several options, such as "one storage driver") may mix the file and variables
 * that set options inside it, so it names both rather than blaming one variable.
 */
function origin(path: string, sources: ValueSources): string {
  // The option itself, or a section above it given whole (WHARF_REGISTRY_STORAGE_MEMORY={...}).
  for (const [option, variable] of sources.env) {
    if (option === path || path.startsWith(`${option}.`)) return ` [from ${variable}]`;
  }
  const inside = [...sources.env].filter(([option]) => option.startsWith(`${path}.`)).map(([, variable]) => variable);
  const parts: string[] = [];
  if (sources.file) parts.push(`in ${sources.file}`);
  if (inside.length) parts.push(`from ${inside.join(', ')}`);
  return parts.length ? ` [${parts.join('; ')}]` : '';
}

/** "known: a, b", or for a section without options (registry.storage.memory) a plain statement. */
export function knownOptions(keys: readonly string[]): string {
  return keys.length ? `known: ${keys.join(', ')}` : 'the section takes no options';
}

export function describeIssue(schema: z.ZodType, issue: z.core.$ZodIssue, sources: ValueSources): string {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const known = Object.keys(objectKeys(schemaAt(schema, issue.path) ?? schema) ?? {});
    return issue.keys
      .map((key) => {
        const full = [...path, key].join('.');
        return `config: ${full}: unknown option (${knownOptions(known)})${origin(full, sources)}`;
      })
      .join('\n');
  }
  const full = path.join('.') || '(root)';
  return `config: ${full}: ${issue.message}${origin(full, sources)}`;
}
