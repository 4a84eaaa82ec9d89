import { z } from 'zod';
import { normalizeSignal } from '../../signals.js';
import { fieldKinds } from './kinds.js';

/** A signal, written "SIGTERM", "TERM" or 15 (as docker-compose's stop_signal accepts), normalised to "SIGTERM". */
export const signal = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const name = normalizeSignal(value);
  if (!name) {
    ctx.addIssue({ code: 'custom', message: `expected a signal name such as SIGTERM, TERM or 15, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return name;
});
fieldKinds.add(signal, { name: 'signal', written: 'a name with or without `SIG` (`SIGTERM`, `TERM`) or a number (`15`), as compose\'s `stop_signal` takes it' });
