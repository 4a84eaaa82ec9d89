import { crashSignature } from './crash.js';
import { describeStatus, firstTerminating, killer, nameOf, signalDeliveries } from './terminating.js';
import type { Oracle } from './verdict.js';

/** The exit status after the first terminating signal is one the scenario allows for that signal. */
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
  const ok = expectation.exit.includes(exit.status);
  const crash = ok ? undefined : crashSignature(record);
  const when = first.deliveredMs < 0 ? `${Math.round(first.deliveredMs)} ms, during start-up` : `+${Math.round(first.deliveredMs)} ms`;
  const after = first.label ? `after ${first.label}` : `after ${first.signal} (${first.origin === 'teardown' ? 'stop at the end of the schedule' : when})`;
  return [
    {
      oracle: 'exit-status',
      verdict: ok ? 'pass' : 'fail',
      ...(ok ? {} : { kind: crash?.kind ?? (exit.forcedKill ? 'killed' : 'wrong-status') }),
      message: ok
        ? `exited ${describeStatus(exit.status)} ${after}, as expected`
        : `exited ${describeStatus(exit.status)} ${after}; expected one of ${expectation.exit.map((s) => describeStatus(s)).join(', ')}` +
          (exit.forcedKill ? ` — ${killer(record)} had to SIGKILL it after the ${record.stopGracePeriodMs} ms grace period` : '') +
          (crash ? ` — ${crash.description}` : ''),
      evidence: { signal: first.signal, status: exit.status, expected: expectation.exit, forcedKill: exit.forcedKill, ...(crash ? { crash } : {}) },
    },
  ];
};
