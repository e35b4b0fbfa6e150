// Loads the configuration: YAML file (--config or WHARF_CONFIG) → environment overlay →
// validation against the schema → deep freeze. Every problem is reported on its own line,
// naming the option's path and where its value came from.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { envOverlay, type ValueSources } from './env-overlay.js';
import { describeIssue } from './issues.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

export interface LoadOptions {
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

async function readYaml(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`config: cannot read ${file}: ${(err as Error).message}`]);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    // The yaml library appends a multi-line excerpt of the source; keep the one line that says
    // what and where ("… at line 3, column 1"), so each problem stays on one line.
    const what = (err as Error).message.split('\n')[0]!.replace(/:\s*$/, '');
    throw new ConfigError([`config: ${file}: invalid YAML: ${what}`]);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError([`config: ${file}: must be a mapping`]);
  return doc as Record<string, unknown>;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Validates an already-read document (used by `config check` and by tests). */
export function validateConfig<S extends z.ZodType>(
  schema: S,
  doc: Record<string, unknown>,
  sources: ValueSources,
): z.output<S> {
  const result = schema.safeParse(doc);
  if (!result.success) throw new ConfigError(result.error.issues.map((i) => describeIssue(schema, i, sources)));
  return deepFreeze(result.data);
}

export async function loadConfig<S extends z.ZodType>(schema: S, options: LoadOptions = {}): Promise<z.output<S>> {
  const env = options.env ?? process.env;
  const file = options.file ?? env.WHARF_CONFIG;
  const doc = file ? await readYaml(file) : {};
  const sources: ValueSources = { file, env: new Map() };
  const problems = envOverlay(schema, doc, env, sources);
  if (problems.length) throw new ConfigError(problems);
  return validateConfig(schema, doc, sources);
}
