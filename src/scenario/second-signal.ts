/**
 * The policy for a second terminating signal during the drain, as the scenario declared it or by default.
 * The default is `ignore`: process-group kills with a forwarding parent, `docker stop` followed by `docker kill -s`,
 * and supervisors escalating all deliver a stop signal twice in production, and a request cut by the second one is
 * lost whoever sent it. A service whose repeated signal means "stop now" (lighttpd's SIGINT, many CLIs) declares
 * `force-exit`.
 */
export interface SecondSignalPolicy {
  policy: 'ignore' | 'force-exit';
  /** force-exit: gone this long after the second signal; ignore: an end this soon after it counts as caused by it. */
  within: number;
  /** force-exit: the statuses a forced exit may end with (undefined: any). */
  exit?: number[];
  /** False when the scenario left `oracles.second_signal` out and the default applies. */
  declared: boolean;
}

export const DEFAULT_SECOND_SIGNAL = { policy: 'ignore', within: 1000 } as const;

/** The one line a scenario adds to accept a stop forced by a repeated signal. */
export const FORCE_EXIT_DECLARATION = 'oracles: { second_signal: { policy: force-exit } }';

/** The policy in force (saved records from before the default have no `second_signal` either: the default applies). */
export function secondSignalPolicy(oracles: { second_signal?: { policy: SecondSignalPolicy['policy']; within: number; exit?: number[] } }): SecondSignalPolicy {
  const declared = oracles.second_signal;
  if (!declared) return { ...DEFAULT_SECOND_SIGNAL, declared: false };
  return { policy: declared.policy, within: declared.within, ...(declared.exit ? { exit: declared.exit } : {}), declared: true };
}

/** "ignore (the default)", "force-exit within 1000 ms (declared)". */
export function describeSecondSignalPolicy(p: SecondSignalPolicy): string {
  const how = p.policy === 'force-exit' ? `force-exit within ${p.within} ms${p.exit ? `, exit ${p.exit.join(', ')}` : ''}` : 'ignore';
  return `${how} (${p.declared ? 'declared' : 'the default'})`;
}
