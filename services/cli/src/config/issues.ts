// Turns a zod issue into one line naming the option and where its value came from, e.g.
// "config: registry.auth.htpassword: unknown option (known: none, htpasswd) [in wharf.yaml]".
import type { z } from 'zod';
import type { ValueSources } from './env-overlay.js';
import { objectKeys, schemaAt } from './schema-walk.js';

function origin(path: string, sources: ValueSources): string {
  for (const [option, variable] of sources.env) {
    if (option === path || option.startsWith(`${path}.`)) return ` [from ${variable}]`;
  }
  return sources.file ? ` [in ${sources.file}]` : '';
}

export function describeIssue(schema: z.ZodType, issue: z.core.$ZodIssue, sources: ValueSources): string {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const known = Object.keys(objectKeys(schemaAt(schema, issue.path) ?? schema) ?? {});
    return issue.keys
      .map((key) => {
        const full = [...path, key].join('.');
        return `config: ${full}: unknown option (known: ${known.join(', ')})${origin(full, sources)}`;
      })
      .join('\n');
  }
  const full = path.join('.') || '(root)';
  return `config: ${full}: ${issue.message}${origin(full, sources)}`;
}
