import { z } from 'zod';

/**
 * A shared field type as the reference (docs/reference/scenario.md) names it: a duration, a signal, a command. Its
 * schema is a union with a transform, which would read as "string or number" there; its name and how values are
 * written say what is meant.
 */
export interface FieldKind {
  /** The name in the reference's type column: "duration". */
  name: string;
  /** How a value is written: "500ms, 10s, 1m30s, or a number of milliseconds". */
  written: string;
  /** A default (a parsed value) as a person would write it: 10000 → "10s". */
  show?: (value: unknown) => string;
}

/** The field types, by schema. A clone (`.meta()`, `.refine()`) inherits its type; a wrapper (`.optional()`) holds it. */
export const fieldKinds = z.registry<FieldKind>();

/** The field type of a schema, if it is one of the shared ones. */
export const fieldKindOf = (schema: z.core.$ZodType): FieldKind | undefined => fieldKinds.get(schema);

/** The schema a field type was registered on (the schema itself, or a clone's original): where its own description is. */
export function fieldKindBase(schema: z.core.$ZodType): z.core.$ZodType | undefined {
  for (let s: z.core.$ZodType | undefined = schema; s; s = s._zod.parent) if (fieldKinds.has(s)) return s;
  return undefined;
}
