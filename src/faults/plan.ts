import type { Recipients } from '../host/recipient.js';
import type { Shot } from '../host/timing-thread.js';
import { signalsOf, type FaultEvent } from '../schedule/event.js';

/**
 * The shots of a signal event for the timing thread, on the trial clock: a signal or a race is one shot (a race's
 * signals back to back), a storm one shot per signal, each at its own instant `spacing` after the one before.
 */
export function shotsOf(event: FaultEvent, originMs: number, recipients: Recipients): Shot[] {
  const at = originMs + event.at;
  const signals = signalsOf(event);
  if (event.kind !== 'storm') return [{ atMs: at, signals, kill: recipients.kill }];
  return signals.map((signal, i) => ({ atMs: at + i * event.spacing, signals: [signal], kill: recipients.kill }));
}
