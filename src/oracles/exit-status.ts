import { attributionEvidence, describeAttribution, laterSignalEnded } from './attribution.js';
import { crashSignature } from './crash.js';
import { forcedStop } from './forced-stop.js';
import { describeStatus, firstTerminating, killer, nameOf, signalDeliveries } from './terminating.js';
import { statusForSignal, type SignalName } from '../signals.js';
import type { Oracle } from './verdict.js';

/**
 * The exit status after the first terminating signal is one the scenario allows for that signal. The message names
 * the signal the exit followed when a later one ended it; under `force-exit`, the stop a second signal forced passes.
 */
/**
 * A terminating signal during start-up that ended the target by its default action (status 128 + n, no crash, no
 * SIGKILL): the service had promised nothing yet, and orchestrators read 143 as "stopped by SIGTERM". Half-done work
 * it leaves (a lock, partial files, children) still fails, by the handles oracle. gunicorn, among others, installs its
 * handlers only once its workers are up.
 */
function endedByDefaultInStartup(record: Parameters<Oracle>[0], signal: SignalName, deliveredMs: number): boolean {
  const { exit } = record;
  if (deliveredMs >= 0 || !record.exitedInStartup || exit.forcedKill) return false;
  return (exit.signal === signal || exit.status === statusForSignal(signal)) && crashSignature(record) === undefined;
}

export const exitStatus: Oracle = (record) => {
  const { exit } = record;
  const first = firstTerminating(record);
  if (!first) {
    const crash = crashSignature(record);
    return [
      {
        oracle: 'exit-status',
        verdict: 'fail',
        kind: crash?.kind ?? 'unexpected-exit',
        message: `the target exited with status ${describeStatus(exit.status)} ${record.exitedInStartup ? 'during its start-up' : `${Math.round(exit.atMs)} ms after it was ready`}, without any terminating signal${crash ? ` — ${crash.description}` : ''}`,
        evidence: { status: exit.status, exitAtMs: exit.atMs, delivered: signalDeliveries(record).map((d) => d.signal) },
      },
    ];
  }
  const expectation = record.expect[first.signal];
  if (expectation?.kind !== 'exit') {
    return [{ oracle: 'exit-status', verdict: 'pass', message: `${nameOf(first)} stopped the target (status ${describeStatus(exit.status)})` }];
  }
  const allowed = expectation.exit.includes(exit.status);
  const forced = allowed ? undefined : forcedStop(record);
  const startupDefault = !allowed && !forced && endedByDefaultInStartup(record, first.signal, first.deliveredMs);
  const ok = allowed || forced !== undefined || startupDefault;
  const crash = ok ? undefined : crashSignature(record);
  const later = laterSignalEnded(record, first);
  const when = first.deliveredMs < 0 ? `${Math.round(first.deliveredMs)} ms, during start-up` : `+${Math.round(first.deliveredMs)} ms`;
  // One signal: "after SIGINT (+25 ms)"; a later one ended it: "at +58 ms, 8 ms after a second SIGINT (+50 ms; …)".
  const after = later
    ? `at +${Math.round(exit.atMs)} ms, ${describeAttribution(later)}`
    : first.label
      ? `after ${first.label}`
      : `after ${first.signal} (${first.origin === 'teardown' ? 'stop at the end of the schedule' : when})`;
  const status = describeStatus(exit.status);
  const message = allowed
    ? `exited ${status} ${after}, as expected`
    : startupDefault
      ? `ended by ${first.signal}'s default action (${when}), status ${status}, before it was ready: a stop during start-up may end it so (what it left behind is the handles oracle's)`
      : forced
      ? `exited ${status} ${after}: the stop the second signal forced, which \`force-exit\` accepts (${expectation.exit.map((s) => describeStatus(s)).join(', ')} after ${first.signal} alone)`
      : `exited ${status} ${after}; expected one of ${expectation.exit.map((s) => describeStatus(s)).join(', ')}` +
        (exit.forcedKill ? ` — ${killer(record)} had to SIGKILL it after the ${record.stopGracePeriodMs} ms grace period` : '') +
          (crash ? ` — ${crash.description}` : '');
  return [
    {
      oracle: 'exit-status',
      verdict: ok ? 'pass' : 'fail',
      ...(ok ? {} : { kind: crash?.kind ?? (exit.forcedKill ? 'killed' : 'wrong-status') }),
      message,
      evidence: {
        signal: first.signal,
        status: exit.status,
        expected: expectation.exit,
        forcedKill: exit.forcedKill,
        ...attributionEvidence(later, first, exit),
        ...(forced ? { forcedBy: { signal: forced.second.signal, atMs: forced.second.deliveredMs, tookMs: Math.round(forced.tookMs) } } : {}),
        ...(crash ? { crash } : {}),
      },
    },
  ];
};
