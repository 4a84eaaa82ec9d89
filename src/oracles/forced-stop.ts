import { secondSignalPolicy } from '../scenario/second-signal.js';
import type { TrialRecord } from '../trial/record.js';
import { crashSignature } from './crash.js';
import { isTerminatingIn, signalDeliveries, type SignalDelivery } from './terminating.js';

/** A second terminating signal before the exit: the first two such deliveries, and the first one's deadline. */
export interface SecondSignal {
  first: SignalDelivery;
  second: SignalDelivery;
  firstDeadlineMs: number;
}

/** The first two terminating signals delivered before the exit; a SIGKILL is never a "second signal": nothing can ignore it. */
export function secondSignalOf(record: TrialRecord): SecondSignal | undefined {
  const [first, second] = signalDeliveries(record).filter((d) => isTerminatingIn(record, d.signal));
  if (!first || !second || second.signal === 'SIGKILL' || second.deliveredMs >= record.exit.atMs) return undefined;
  const expected = record.expect[first.signal];
  return { first, second, firstDeadlineMs: first.deliveredMs + (expected?.kind === 'exit' ? expected.within : record.stopGracePeriodMs) };
}

/** The main process ended by itself: no SIGKILL of sigstorm's, or one sent only after the main process was gone. */
export const endedByItself = (exit: TrialRecord['exit']): boolean => !exit.forcedKill || (exit.killedAtMs !== undefined && exit.atMs < exit.killedAtMs);

/**
 * Under a declared `force-exit`: the stop the second signal forced, which the scenario accepts. The target ended by
 * itself within `within` of a second signal that came before the first one's deadline, did not crash (a crash is
 * still a crash), and ended with a status of `exit` when the policy names some. Exit-status then does not fail its
 * status, nor lost-requests what was in flight at the second signal.
 */
export function forcedStop(record: TrialRecord): (SecondSignal & { tookMs: number }) | undefined {
  const policy = secondSignalPolicy(record.oracles);
  if (policy.policy !== 'force-exit') return undefined;
  const pair = secondSignalOf(record);
  if (!pair || pair.second.deliveredMs > pair.firstDeadlineMs) return undefined;
  const tookMs = record.exit.atMs - pair.second.deliveredMs;
  if (!endedByItself(record.exit) || tookMs > policy.within || crashSignature(record) !== undefined) return undefined;
  // The scenario may bound the statuses of a forced exit (sigstorm's own: 128 + the signal's number).
  if (policy.exit && !policy.exit.includes(record.exit.status)) return undefined;
  return { ...pair, tookMs };
}
