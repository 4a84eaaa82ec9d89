import { z } from 'zod';
import { parseDuration } from '../../time.js';
import { fieldKinds } from './kinds.js';

const expected = 'expected a duration such as 500ms, 10s or 1m30s (or a number of milliseconds), at most 24 days';

const DURATION = {
  name: 'duration',
  written: '`500ms`, `10s`, `1.5s`, `1m30s`, `2h` (units ms, s, m, h), or a number of milliseconds; at most 24 days',
  show: (ms: unknown) => (typeof ms === 'number' && ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000}s` : `${String(ms)}ms`),
};

/** A duration in milliseconds: 500ms, 10s, 1m30s (docker-compose style) or a plain number of milliseconds. */
export const duration = (message = expected) => {
  const schema = z
    .union([z.string(), z.number()])
    .transform((value, ctx) => {
      const ms = parseDuration(value);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
      return ms;
    })
    .meta({ description: 'A duration: 500ms, 10s, 1m30s, or a number of milliseconds' });
  fieldKinds.add(schema, DURATION);
  return schema;
};
