import { secondSignalPolicy } from '../scenario/second-signal.js';
import type { TrialRecord } from '../trial/record.js';
import { laterSignalEnded } from './attribution.js';
import { crashSignature } from './crash.js';
import { endedByDefault, isTerminatingIn, signalDeliveries, type SignalDelivery } from './terminating.js';

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

/**
 * A later signal that found the drain done and ended the process by its default action as it exited: every request
 * in flight at the first terminating signal answered, none in flight at the later one. A runtime puts the default
 * handlers back as it exits (CPython's finalisation does), so a repeated SIGTERM, or a SIGHUP reload the service
 * survives while it runs, ends it with 128 + n in its last milliseconds: that cut nothing short, and orchestrators read
 * it as stopped. With nothing in flight at the first signal there is no telling that the drain was done, and it is
 * judged as before.
 */
export function endedInTeardown(record: TrialRecord, first: SignalDelivery): SignalDelivery | undefined {
  const later = laterSignalEnded(record, first)?.last;
  if (!later || !endedByDefault(record, later) || crashSignature(record) !== undefined) return undefined;
  const requests = record.ledger.filter((e) => e.kind === 'request' || e.kind === 'stream');
  const atFirst = requests.filter((e) => e.sentMs < first.deliveredMs && e.endMs > first.deliveredMs);
  const answered = atFirst.length > 0 && atFirst.every((e) => e.outcome === 'ok');
  const noneInFlight = requests.every((e) => e.sentMs >= later.deliveredMs || e.endMs <= later.deliveredMs);
  return answered && noneInFlight ? later : undefined;
}
