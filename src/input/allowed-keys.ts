import type { KeyPath } from './key-path.js';
import { mapping } from './plain-data.js';

interface SchemaDef {
  type: string;
  shape?: Record<string, unknown>;
  innerType?: unknown;
  in?: unknown;
  options?: unknown[];
  valueType?: unknown;
  discriminator?: string;
  values?: unknown[];
}
const defOf = (schema: unknown): SchemaDef => (schema as { _zod: { def: SchemaDef } })._zod.def;

/**
 * Strips optional/default/pipe wrappers and picks the object branch of a union: of a discriminated union, the branch
 * `value` names (`model: kubernetes`), since each branch accepts keys of its own.
 */
function unwrap(schema: unknown, value?: unknown): unknown {
  for (let def = defOf(schema); ; def = defOf(schema)) {
    if (def.type === 'object' || def.type === 'record') return schema;
    const next = def.innerType ?? def.in ?? branchOf(def, value) ?? def.options?.find((o) => ['object', 'record'].includes(defOf(o).type));
    if (!next) return schema;
    schema = next;
  }
}

/** The branch of a discriminated union whose literal tag `value` carries, if any. */
function branchOf(def: SchemaDef, value: unknown): unknown {
  const key = def.discriminator;
  const tag = key === undefined ? undefined : mapping(value)?.[key];
  if (tag === undefined) return undefined;
  return def.options?.find((o) => {
    const field = defOf(o).shape?.[key!];
    return field !== undefined && (defOf(field).values ?? []).includes(tag);
  });
}

/**
 * The keys a mapping at `path` of a zod schema accepts, read from the schema itself so a message never goes stale.
 * `input`: the document validated, whose values choose the branches of discriminated unions on the way.
 */
export function allowedKeys(root: unknown, path: KeyPath, input?: unknown): string[] {
  let schema: unknown = root;
  let value = input;
  for (const segment of path) {
    const def = defOf(unwrap(schema, value));
    schema = def.type === 'record' ? def.valueType : def.shape?.[String(segment)];
    value = (value as Record<PropertyKey, unknown> | null | undefined)?.[segment];
    if (!schema) return [];
  }
  const def = defOf(unwrap(schema, value));
  return def.type === 'object' ? Object.keys(def.shape ?? {}) : [];
}
