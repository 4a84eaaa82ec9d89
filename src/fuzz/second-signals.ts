import type { FaultEvent, Schedule } from '../schedule/event.js';
import type { SignalName } from '../signals.js';

/**
 * Smaller schedules with a single terminating signal: every race made a plain signal (its first signal) and every
 * terminating signal after the first dropped, all at once; then each race as either of its signals, and each later
 * signal dropped, one at a time. Empty when the schedule holds no second terminating signal.
 */
export function withoutSecondSignals(schedule: Schedule, isTerminating: (signal: SignalName) => boolean): Schedule[] {
  const terminating = schedule.map((e) => e.kind === 'race' || (e.kind === 'signal' && isTerminating(e.signal)));
  const first = terminating.indexOf(true);
  if (first < 0) return [];
  const later = terminating.flatMap((t, i) => (t && i > first ? [i] : []));
  const races = schedule.flatMap((e, i) => (e.kind === 'race' ? [i] : []));
  if (later.length === 0 && races.length === 0) return [];
  // The race's timing and recipient kept (`after`, `from`, a rollout's `replica`), one signal in place of its signals.
  const plain = ({ signals: _signals, kind: _kind, ...e }: Extract<FaultEvent, { kind: 'race' }>, signal: SignalName): FaultEvent => ({ ...e, kind: 'signal', signal });
  const all = schedule.flatMap((e, i) => (later.includes(i) ? [] : e.kind === 'race' ? [plain(e, e.signals[0]!)] : [e]));
  const one = [
    ...races.flatMap((i) => {
      const race = schedule[i] as Extract<FaultEvent, { kind: 'race' }>;
      return race.signals.map((signal) => schedule.map((e, j) => (j === i ? plain(race, signal) : e)));
    }),
    ...later.map((i) => schedule.filter((_, j) => j !== i)),
  ];
  const seen = new Set<string>();
  return [all, ...one].filter((c) => {
    const key = JSON.stringify(c);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
