import type { KeyPath } from './key-path.js';

interface SchemaDef {
  type: string;
  shape?: Record<string, unknown>;
  innerType?: unknown;
  in?: unknown;
  options?: unknown[];
  valueType?: unknown;
}
const defOf = (schema: unknown): SchemaDef => (schema as { _zod: { def: SchemaDef } })._zod.def;

/** Strips optional/default/pipe wrappers and picks the object branch of a union. */
function unwrap(schema: unknown): unknown {
  for (let def = defOf(schema); ; def = defOf(schema)) {
    if (def.type === 'object' || def.type === 'record') return schema;
    const next = def.innerType ?? def.in ?? def.options?.find((o) => ['object', 'record'].includes(defOf(o).type));
    if (!next) return schema;
    schema = next;
  }
}

/** The keys a mapping at `path` of a zod schema accepts, read from the schema itself so a message never goes stale. */
export function allowedKeys(root: unknown, path: KeyPath): string[] {
  let schema: unknown = root;
  for (const segment of path) {
    const def = defOf(unwrap(schema));
    schema = def.type === 'record' ? def.valueType : def.shape?.[String(segment)];
    if (!schema) return [];
  }
  const def = defOf(unwrap(schema));
  return def.type === 'object' ? Object.keys(def.shape ?? {}) : [];
}
