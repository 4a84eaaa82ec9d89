import { isTerminatingIn, signalDeliveries } from './terminating.js';
import { crashSignature } from './crash.js';
import type { Oracle } from './verdict.js';

/**
 * A second terminating signal during shutdown, judged by the scenario's declared policy (projects disagree):
 * `ignore` — the drain goes on and the target still ends as the first signal demands;
 * `force-exit` — the target is gone within `within` of the second signal.
 */
export const secondSignal: Oracle = (record) => {
  const policy = record.oracles.second_signal;
  if (!policy) return [];
  const terminating = signalDeliveries(record).filter((d) => isTerminatingIn(record, d.signal));
  const [first, second] = terminating;
  if (!first || !second || second.deliveredMs! >= record.exit.atMs) return [];
  const { exit } = record;
  const at = `${second.signal} at +${Math.round(second.deliveredMs!)} ms (${Math.round(second.deliveredMs! - first.deliveredMs!)} ms after ${first.signal})`;
  const evidence = { first: first.signal, second: second.signal, secondMs: second.deliveredMs, exitMs: exit.atMs, status: exit.status, policy: policy.policy };
  if (policy.policy === 'force-exit') {
    const took = exit.atMs - second.deliveredMs!;
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
  const expected = record.expect[first.signal];
  const allowed = expected?.kind === 'exit' ? expected.exit : [0];
  const crash = crashSignature(record);
  const ok = allowed.includes(exit.status) && !crash;
  return [
    {
      oracle: 'second-signal',
      verdict: ok ? 'pass' : 'fail',
      ...(ok ? {} : { kind: 'not-ignored' }),
      message: ok
        ? `${at} was ignored: the drain went on, exit ${exit.status}`
        : `${at} was not ignored: the target ended with ${exit.status}${crash ? ` — ${crash.description}` : ''} instead of finishing its drain`,
      evidence: { ...evidence, ...(crash ? { crash } : {}) },
    },
  ];
};
