import { z } from 'zod';
import { ScenarioSchema } from './schema/scenario.js';

/** JSON Schema of the file format (what a person writes, before defaults and normalisation). */
export const scenarioJsonSchema = (): Record<string, unknown> =>
  z.toJSONSchema(ScenarioSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
