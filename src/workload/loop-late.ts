import { now } from '../time.js';
import { LOOP_KEPT_FROM_MS as KEPT_FROM_MS, LOOP_TICK_MS as TICK_MS, type LoopLate } from './ledger.js';

const MAX_KEPT = 5_000;

/**
 * Ticks every 10 ms while the workload runs and keeps each tick that came late: the ledger's times are when this loop
 * saw things, and on a busy machine it sees a connection's reset tens of ms after the reset came (lost-requests.ts).
 */
export function watchLoopLate(originMs: number): { late: LoopLate[]; stop: () => void } {
  const late: LoopLate[] = [];
  let due = now() + TICK_MS;
  const timer = setInterval(() => {
    const at = now();
    if (at - due >= KEPT_FROM_MS && late.length < MAX_KEPT) late.push({ atMs: at - originMs, lateMs: at - due });
    due = at + TICK_MS;
  }, TICK_MS);
  timer.unref();
  return { late, stop: () => clearInterval(timer) };
}
