import { z } from 'zod';
import { scenarioSchema } from './schema/scenario.js';

/** JSON Schema of the file format (what a person writes, before defaults and normalisation). */
export const scenarioJsonSchema = (): Record<string, unknown> =>
  z.toJSONSchema(scenarioSchema(), { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
