import { z } from 'zod';
import { scenarioSchema } from './schema/scenario.js';

/** JSON Schema of the file format (what a person writes, before defaults and normalisation). */
export const scenarioJsonSchema = (): Record<string, unknown> =>
  z.toJSONSchema(scenarioSchema(), { io: 'input', unrepresentable: 'any', override: defaultOfTransform }) as Record<string, unknown>;

/**
 * zod drops the default of a field that parses through a transform (a duration, a signal) from the JSON Schema;
 * editors show it, so it goes back in. It is the parsed value, which the field also takes as written: 10000 (ms), "SIGTERM".
 */
function defaultOfTransform(ctx: { zodSchema: z.core.$ZodType; jsonSchema: { default?: unknown } }): void {
  const def = ctx.zodSchema._zod.def;
  if (def.type === 'default' && ctx.jsonSchema.default === undefined) ctx.jsonSchema.default = (def as z.core.$ZodDefaultDef).defaultValue;
}
