import { describeEvent } from '../schedule/event.js';
import { firstTerminating } from './terminating.js';
import type { Oracle, OracleResult } from './verdict.js';

/** A signal the scenario says must be survived left the target running and ready. */
export const alive: Oracle = (record) => {
  const first = firstTerminating(record);
  const results: OracleResult[] = [];
  for (const check of record.checks) {
    const event = record.events[check.event]!;
    const last = (event.deliveries ?? []).at(-1);
    if (!last) continue;
    // A terminating signal before the check decides the outcome: nothing left to judge here.
    if (first && first.deliveredMs <= check.atMs && first.event !== check.event) continue;
    const what = event.kind === 'signal' ? event.signal : describeEvent(event).replace(/^\+\d+ ms /, '');
    // The record's exit decides over the check: a container engine slow to report an exit (a busy machine, 300 ms
    // once in CI) still calls a target running that had exited before the check, and only its port refused.
    const alive = check.alive && record.exit.atMs > check.atMs;
    const ok = alive && (check.ready === null || check.ready.ok);
    const state = !alive
      ? `had exited (status ${record.exit.status}${check.alive ? `, at +${Math.round(record.exit.atMs)} ms` : ''})`
      : check.ready && !check.ready.ok
        ? `was running but not ready (${check.ready.detail})`
        : 'was running and ready';
    results.push({
      oracle: 'alive',
      verdict: ok ? 'pass' : 'fail',
      ...(ok ? {} : { kind: alive ? 'not-ready' : 'died' }),
      message: `${Math.round(check.atMs - last.atMs)} ms after ${what} (+${Math.round(last.atMs)} ms) the target ${state}`,
      evidence: { signal: last.signal, deliveredMs: last.atMs, checkedMs: check.atMs, alive, ready: check.ready, ...(alive !== check.alive ? { exitMs: record.exit.atMs, seenRunning: true } : {}) },
    });
  }
  return results;
};
