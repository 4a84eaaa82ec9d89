import type { z } from 'zod';

/**
 * A mapping a file may leave out: then it is what `{}` parses to (afresh each time), so each default is written
 * once, on its own key; zod's `.default` would otherwise need the whole filled-in object written again.
 */
export const defaultsWhenAbsent = <T extends z.ZodType>(schema: T): z.ZodDefault<T> =>
  schema.default(() => schema.parse({}) as z.util.NoUndefined<z.output<T>>);
