import { attributionEvidence, describeAttribution, laterSignalEnded } from './attribution.js';
import { crashSignature } from './crash.js';
import { endedInTeardown, forcedStop } from './forced-stop.js';
import { describeStatus, endedByDefault, firstTerminating, killer, nameOf, signalDeliveries, type SignalDelivery } from './terminating.js';
import type { Oracle } from './verdict.js';

/**
 * The signal delivered during start-up whose default action ended the target there (status 128 + n, or Go's 2 as a
 * container's PID 1; no crash, no SIGKILL), if one did: the service had promised nothing yet. A stop signal's status
 * is what orchestrators read as "stopped by it", and a reload signal's `alive` is a promise of a ready service (none
 * keeps it while its interpreter is still loading). Half-done work it leaves (a lock, partial files, children) still
 * fails, by the handles oracle. gunicorn, among others, installs its handlers only once Python has loaded it and its
 * configuration.
 */
function startupDefaultAction(record: Parameters<Oracle>[0]): SignalDelivery | undefined {
  const { exit } = record;
  if (!record.exitedInStartup || exit.forcedKill || crashSignature(record) !== undefined) return undefined;
  return signalDeliveries(record).find((d) => d.deliveredMs < 0 && endedByDefault(record, d));
}

const endedInStartup = (d: SignalDelivery, status: number): string =>
  `ended by ${d.signal}'s default action (${Math.round(d.deliveredMs)} ms, during start-up), status ${describeStatus(status)}, before it was ready: a signal during start-up may end it so (what it left behind is the handles oracle's)`;

/**
 * The exit status after the first terminating signal is one the scenario allows for that signal. The message names
 * the signal the exit followed when a later one ended it; under `force-exit`, the stop a second signal forced passes.
 */
export const exitStatus: Oracle = (record) => {
  const { exit } = record;
  const first = firstTerminating(record);
  if (!first) {
    const byDefault = startupDefaultAction(record);
    if (byDefault) return [{ oracle: 'exit-status', verdict: 'pass', message: endedInStartup(byDefault, exit.status) }];
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
  const startupDefault = !allowed && !forced ? startupDefaultAction(record) : undefined;
  const teardown = !allowed && !forced && !startupDefault ? endedInTeardown(record, first) : undefined;
  const ok = allowed || forced !== undefined || startupDefault !== undefined || teardown !== undefined;
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
      ? endedInStartup(startupDefault, exit.status)
      : teardown
      ? `exited ${status} ${after}: once the drain was done (every request in flight at ${first.signal} answered, none in flight then), by its default action as the process exited`
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
