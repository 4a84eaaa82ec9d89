import { FORCE_EXIT_DECLARATION, secondSignalPolicy } from '../scenario/second-signal.js';
import { attributionEvidence, laterSignalEnded } from './attribution.js';
import { crashSignature } from './crash.js';
import { endedByItself, endedInTeardown, secondSignalOf, type SecondSignal } from './forced-stop.js';
import type { Oracle, OracleResult } from './verdict.js';

/**
 * A second terminating signal during shutdown, judged by the scenario's policy (projects disagree), `ignore` when it
 * declares none (scenario/second-signal.ts says why):
 * `ignore` — the drain goes on and the target still ends as the first signal demands;
 * `force-exit` — the target is gone within `within` of the second signal.
 *
 * Blame needs evidence that the second signal changed the outcome. `ignore` fails only when all of these hold:
 * - the main process ended by itself (before any SIGKILL of sigstorm's), after the second signal;
 * - the second signal came before the first signal's deadline (`expect.<first>.within`), and the target ended
 *   before that deadline too: a target already late, or hung until SIGKILL, is the `deadline` oracle's finding;
 * - it ended within `within` (default 1 s) of the second signal: the end followed from it;
 * - its status is not one the first signal allows, or it crashed (Go panic, Node uncaught exception, SIGSEGV);
 * - it did not come once the drain was done to end the process by its default action as it exited (endedInTeardown).
 * `force-exit` fails when the target was not gone within `within` of a second signal that came before the first
 * signal's deadline. A SIGKILL in the schedule is never a "second signal": nothing can ignore it.
 */
export const secondSignal: Oracle = (record) => {
  const pair = secondSignalOf(record);
  if (!pair) return [];
  const policy = secondSignalPolicy(record.oracles);
  const { first, second, firstDeadlineMs } = pair;
  const { exit } = record;
  const evidence = {
    first: first.signal,
    second: second.signal,
    firstMs: first.deliveredMs,
    secondMs: second.deliveredMs,
    firstDeadlineMs,
    exitMs: exit.atMs,
    status: exit.status,
    forcedKill: exit.forcedKill,
    policy: policy.policy,
    declared: policy.declared,
    ...attributionEvidence(laterSignalEnded(record, first), first, exit),
  };
  const at = describeSecond(pair);
  const result = (verdict: 'pass' | 'fail', message: string, more: Partial<OracleResult> = {}): OracleResult[] => [
    { oracle: 'second-signal', verdict, message, evidence, ...more },
  ];
  if (second.deliveredMs > firstDeadlineMs) return result('pass', `${at} came after ${first.signal}'s deadline (+${Math.round(firstDeadlineMs)} ms): not judged, the target was already late`);

  const took = exit.atMs - second.deliveredMs;
  const timing = { tookMs: Math.round(took), withinMs: policy.within };
  if (policy.policy === 'force-exit') {
    const ok = !exit.forcedKill && took <= policy.within;
    const message = `${at}: gone ${Math.round(took)} ms later (must force an exit within ${policy.within} ms)`;
    return result(ok ? 'pass' : 'fail', message, { ...(ok ? {} : { kind: 'not-forced' }), evidence: { ...evidence, ...timing } });
  }

  if (!endedByItself(exit)) return result('pass', `${at}: the target did not end before sigstorm's SIGKILL — a hang the second signal did not cause (see deadline)`);
  if (exit.atMs > firstDeadlineMs) return result('pass', `${at}: the target ended at +${Math.round(exit.atMs)} ms, after ${first.signal}'s deadline — late, not ended by the second signal (see deadline)`);
  const expected = record.expect[first.signal];
  const allowed = expected?.kind === 'exit' ? expected.exit : [0];
  const crash = crashSignature(record);
  if (allowed.includes(exit.status) && crash === undefined) return result('pass', `${at} was ignored: the drain went on, exit ${exit.status}`);
  const teardown = endedInTeardown(record, first);
  if (teardown) {
    return result('pass', `${at} came once the drain was done (every request in flight at ${first.signal} answered, none in flight at +${Math.round(teardown.deliveredMs)} ms): its default action ended the process as it exited, with ${exit.status}, cutting nothing short`);
  }
  if (took > policy.within) {
    return result('pass', `${at}: the target ended with ${exit.status} ${Math.round(took)} ms later, beyond ${policy.within} ms: not blamed on the second signal (see exit-status)`);
  }
  // Undeclared, the user has not chosen: say which default judged it and the line that would accept a forced stop.
  const byDefault = policy.declared
    ? ''
    : ` (policy \`ignore\` is the default: a second stop signal must not cut a drain short; if a repeated ${second.signal} means "stop now" for this service, declare \`${FORCE_EXIT_DECLARATION}\`)`;
  const message =
    `${at} was not ignored: the target ended with status ${exit.status}${crash ? ` — ${crash.description} —` : ','} ${Math.round(took)} ms later (+${Math.round(exit.atMs)} ms), ` +
    `instead of finishing its drain${byDefault}`;
  return result('fail', message, { kind: 'not-ignored', evidence: { ...evidence, ...timing, ...(crash ? { crash } : {}) } });
};

/** "a second SIGINT at +50 ms (25 ms after the first)", "SIGINT at +650 ms (50 ms after SIGTERM)". */
function describeSecond({ first, second }: SecondSignal): string {
  const gap = Math.round(second.deliveredMs - first.deliveredMs);
  return first.signal === second.signal
    ? `a second ${second.signal} at +${Math.round(second.deliveredMs)} ms (${gap} ms after the first)`
    : `${second.signal} at +${Math.round(second.deliveredMs)} ms (${gap} ms after ${first.signal})`;
}
