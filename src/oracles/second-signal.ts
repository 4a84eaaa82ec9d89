import { isTerminatingIn, signalDeliveries } from './terminating.js';
import { crashSignature } from './crash.js';
import type { Oracle } from './verdict.js';

/**
 * A second terminating signal during shutdown, judged by the scenario's declared policy (projects disagree):
 * `ignore` — the drain goes on and the target still ends as the first signal demands;
 * `force-exit` — the target is gone within `within` of the second signal.
 *
 * Blame needs evidence that the second signal changed the outcome. `ignore` fails only when all of these hold:
 * - the main process ended by itself (before any SIGKILL of sigstorm's), after the second signal;
 * - the second signal came before the first signal's deadline (`expect.<first>.within`), and the target ended
 *   before that deadline too: a target already late, or hung until SIGKILL, is the `deadline` oracle's finding;
 * - it ended within `within` (default 1 s) of the second signal: the end followed from it;
 * - its status is not one the first signal allows, or it crashed (Go panic, Node uncaught exception, SIGSEGV).
 * `force-exit` fails when the target was not gone within `within` of a second signal that came before the first
 * signal's deadline. A SIGKILL in the schedule is never a "second signal": nothing can ignore it.
 */
export const secondSignal: Oracle = (record) => {
  const policy = record.oracles.second_signal;
  if (!policy) return [];
  const terminating = signalDeliveries(record).filter((d) => isTerminatingIn(record, d.signal));
  const [first, second] = terminating;
  if (!first || !second || second.signal === 'SIGKILL' || second.deliveredMs >= record.exit.atMs) return [];
  const { exit } = record;
  const expected = record.expect[first.signal];
  const firstDeadline = first.deliveredMs + (expected?.kind === 'exit' ? expected.within : record.stopGracePeriodMs);
  const at = `${second.signal} at +${Math.round(second.deliveredMs)} ms (${Math.round(second.deliveredMs - first.deliveredMs)} ms after ${first.signal})`;
  const evidence = {
    first: first.signal,
    second: second.signal,
    firstMs: first.deliveredMs,
    secondMs: second.deliveredMs,
    firstDeadlineMs: firstDeadline,
    exitMs: exit.atMs,
    status: exit.status,
    forcedKill: exit.forcedKill,
    policy: policy.policy,
  };
  const pass = (message: string) => [{ oracle: 'second-signal', verdict: 'pass' as const, message, evidence }];
  if (second.deliveredMs > firstDeadline) return pass(`${at} came after ${first.signal}'s deadline (+${Math.round(firstDeadline)} ms): not judged, the target was already late`);

  if (policy.policy === 'force-exit') {
    const took = exit.atMs - second.deliveredMs;
    const ok = !exit.forcedKill && took <= policy.within;
    return [
      {
        oracle: 'second-signal',
        verdict: ok ? 'pass' : 'fail',
        ...(ok ? {} : { kind: 'not-forced' }),
        message: `${at}: gone ${Math.round(took)} ms later (must force an exit within ${policy.within} ms)`,
        evidence: { ...evidence, tookMs: Math.round(took), withinMs: policy.within },
      },
    ];
  }

  // The main process ended by itself: no SIGKILL of sigstorm's, or one sent only after the main process was gone.
  const endedByItself = !exit.forcedKill || (exit.killedAtMs !== undefined && exit.atMs < exit.killedAtMs);
  if (!endedByItself) return pass(`${at}: the target did not end before sigstorm's SIGKILL — a hang the second signal did not cause (see deadline)`);
  if (exit.atMs > firstDeadline) return pass(`${at}: the target ended at +${Math.round(exit.atMs)} ms, after ${first.signal}'s deadline — late, not ended by the second signal (see deadline)`);
  const took = exit.atMs - second.deliveredMs;
  const allowed = expected?.kind === 'exit' ? expected.exit : [0];
  const crash = crashSignature(record);
  const wrong = !allowed.includes(exit.status) || crash !== undefined;
  if (!wrong) return pass(`${at} was ignored: the drain went on, exit ${exit.status}`);
  if (took > policy.within) {
    return pass(`${at}: the target ended with ${exit.status} ${Math.round(took)} ms later, beyond ${policy.within} ms: not blamed on the second signal (see exit-status)`);
  }
  return [
    {
      oracle: 'second-signal',
      verdict: 'fail',
      kind: 'not-ignored',
      message: `${at} was not ignored: the target ended with ${exit.status}${crash ? ` — ${crash.description}` : ''} ${Math.round(took)} ms later, instead of finishing its drain`,
      evidence: { ...evidence, tookMs: Math.round(took), withinMs: policy.within, ...(crash ? { crash } : {}) },
    },
  ];
};
