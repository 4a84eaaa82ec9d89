import { z } from 'zod';
import { parseDuration } from '../../time.js';

const expected = 'expected a duration such as 500ms, 10s or 1m30s (or a number of milliseconds), at most 24 days';

/** A duration in milliseconds: 500ms, 10s, 1m30s (docker-compose style) or a plain number of milliseconds. */
export const duration = (message = expected) =>
  z
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
