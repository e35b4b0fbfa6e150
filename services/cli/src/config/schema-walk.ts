// Reads the shape of a zod schema: which keys an object at a path knows, and what kind of value
// a leaf takes. Used to map environment variables and to name known options in errors.
import type { z } from 'zod';

interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  schema?: z.ZodType;
}

function def(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Unwraps optional/default/prefault/pipe/transform wrappers down to the underlying schema. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let i = 0; i < 20; i++) {
    const d = def(current);
    if (d.innerType) current = d.innerType;
    else if (d.type === 'pipe' && d.in) current = d.in;
    else return current;
  }
  return current;
}

export function kindOf(schema: z.ZodType): string {
  return def(unwrap(schema)).type;
}

export function objectKeys(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  const d = def(unwrap(schema));
  return d.type === 'object' ? d.shape : undefined;
}

/** The schema at a path of keys, or undefined where the path leaves the schema. */
export function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let current: z.ZodType | undefined = schema;
  for (const key of path) {
    if (!current) return undefined;
    const shape = objectKeys(current);
    if (shape) current = shape[String(key)];
    else {
      const d = def(unwrap(current));
      current = d.type === 'array' ? d.element : undefined;
    }
  }
  return current;
}
