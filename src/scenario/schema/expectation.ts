import { z } from 'zod';
import { duration } from '../../input/fields/duration.js';
import { fieldKinds } from '../../input/fields/kinds.js';
import { normalizeSignal, statusForSignal } from '../../signals.js';

// One entry of `expect:` (keyed by signal name): what must hold after that signal is delivered.

/** An exit status, or a signal name standing for 128 + its number. */
export const exitStatus = z.union([z.number().int().min(0).max(255), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') return value;
  const sig = normalizeSignal(value);
  if (!sig) {
    ctx.addIssue({ code: 'custom', message: 'expected an exit status 0–255 or a signal name (meaning 128 + its number)' });
    return z.NEVER;
  }
  return statusForSignal(sig);
});
fieldKinds.add(exitStatus, { name: 'exit status', written: 'a number 0–255, or a signal name standing for 128 + its number (`SIGTERM` is 143)' });

export const expectation = z
  .strictObject({
    exit: z
      .array(exitStatus)
      .min(1)
      .optional()
      .meta({ description: 'Exit statuses allowed after this signal; a signal name stands for 128 + n' }),
    within: duration().optional().meta({ description: 'Deadline from delivery to exit (default: stop_grace_period)' }),
    alive: z.literal(true).optional().meta({ description: 'The target must survive this signal and still be ready' }),
    settle: duration().default(1000).meta({ description: 'How long after the signal aliveness is checked' }),
  })
  .refine((e) => (e.exit === undefined) !== (e.alive === undefined), {
    message: 'expected exactly one of `exit` (the signal stops the target) or `alive: true` (it must survive)',
  })
  .meta({ description: 'What must hold after this signal: the target stops (`exit`, `within`) or survives (`alive`, `settle`)' });
