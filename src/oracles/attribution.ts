import type { TrialRecord } from '../trial/record.js';
import { nameOf, signalDeliveries, type SignalDelivery } from './terminating.js';

/**
 * Which signal an exit followed: the last one delivered to the target before it ended (SIGCONT and SIGSTOP, which
 * end nothing, aside), and what came before it from the first terminating signal on. A message that blamed the
 * first signal for an exit a later one caused ("exited 1 after SIGINT (+25 ms)" when a second SIGINT at +50 ms ended
 * it) sent users looking in the wrong place.
 */
export interface Attribution {
  /** The signal the exit followed. */
  last: SignalDelivery;
  /** Which delivery of its signal it was, counting from the first terminating signal on (1: the first). */
  nth: number;
  /** From its delivery to the exit. */
  gapMs: number;
  /** The deliveries from the first terminating signal up to `last`, not counting it. */
  before: SignalDelivery[];
}

const ENDS_NOTHING = new Set(['SIGCONT', 'SIGSTOP']);

/** The main process did not end by itself: the final SIGKILL (sigstorm's or the orchestrator's) ended it. */
const killedBySigstorm = (exit: TrialRecord['exit']) => exit.forcedKill && (exit.killedAtMs === undefined || exit.atMs >= exit.killedAtMs);

/**
 * The attribution of the exit, when it followed a later signal than `first` (the first terminating one); undefined
 * when it followed `first` itself (messages stay as short as with one signal), or when the main process did not end
 * by itself (sigstorm's or the orchestrator's SIGKILL ended it, and the messages say so).
 */
export function laterSignalEnded(record: Pick<TrialRecord, 'events' | 'exit'>, first: SignalDelivery): Attribution | undefined {
  const { exit } = record;
  if (killedBySigstorm(exit)) return undefined;
  const from = signalDeliveries(record).filter((d) => !ENDS_NOTHING.has(d.signal) && d.deliveredMs >= first.deliveredMs && d.deliveredMs <= exit.atMs);
  const last = from.at(-1);
  // The first terminating signal itself (a stop model's hook stands for it: event -1, no delivery of its own).
  if (!last || (last.event === first.event && last.deliveredMs === first.deliveredMs && last.signal === first.signal)) return undefined;
  const before = from.slice(0, -1);
  const earlier = first.event === -1 ? before : before.filter((d) => !(d.event === first.event && d.deliveredMs === first.deliveredMs));
  const nth = 1 + earlier.filter((d) => d.signal === last.signal).length + (first.signal === last.signal && first.event !== -1 ? 1 : 0);
  return { last, nth, gapMs: exit.atMs - last.deliveredMs, before: [first, ...earlier] };
}

const ORDINALS = ['', 'first', 'second', 'third', 'fourth', 'fifth'];

/** "a second SIGINT", "SIGTERM", "SIGINT #7". */
export function ordinalName({ last, nth }: Pick<Attribution, 'last' | 'nth'>): string {
  if (nth <= 1) return last.signal;
  return nth < ORDINALS.length ? `a ${ORDINALS[nth]} ${last.signal}` : `${last.signal} #${nth}`;
}

const at = (ms: number) => `+${Math.round(ms)} ms`;

/**
 * "8 ms after a second SIGINT (+50 ms; the first SIGINT at +25 ms)", "after SIGTERM (+900 ms; after the systemd stop
 * (its hook at +300 ms), 2 more signals between)".
 */
export function describeAttribution(a: Attribution): string {
  const [first, ...between] = a.before;
  const lead = first!.label ? `after ${nameOf(first!)}` : `${first!.signal === a.last.signal ? 'the first' : 'after'} ${first!.signal} at ${at(first!.deliveredMs)}`;
  const more = between.length > 0 ? `, ${between.length} more signal${between.length > 1 ? 's' : ''} between` : '';
  return `${Math.round(a.gapMs)} ms after ${ordinalName(a)} (${at(a.last.deliveredMs)}; ${lead}${more})`;
}

/** The same as evidence: plain data, times in ms after readiness (none when a SIGKILL of sigstorm's ended the target). */
export function attributionEvidence(a: Attribution | undefined, first: SignalDelivery, exit: TrialRecord['exit']): Record<string, unknown> {
  if (!a && killedBySigstorm(exit)) return {};
  const followed = a
    ? { signal: a.last.signal, atMs: a.last.deliveredMs, nth: a.nth, gapMs: Math.round(a.gapMs) }
    : { signal: first.signal, atMs: first.deliveredMs, nth: 1, gapMs: Math.round(exit.atMs - first.deliveredMs) };
  const before = a ? a.before.slice(0, 10).map((d) => ({ signal: d.signal, atMs: d.deliveredMs, ...(d.label ? { label: d.label } : {}) })) : [];
  return { followed, ...(a ? { before, signalsBefore: a.before.length } : {}) };
}
