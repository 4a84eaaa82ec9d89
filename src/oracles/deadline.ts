import { attributionEvidence, describeAttribution, laterSignalEnded } from './attribution.js';
import { firstTerminating, killer, nameOf } from './terminating.js';
import type { Oracle } from './verdict.js';

/** After the first terminating signal the target is gone within its deadline, without needing the SIGKILL fallback. */
export const deadline: Oracle = (record) => {
  const first = firstTerminating(record);
  const expectation = first ? record.expect[first.signal] : undefined;
  if (!first || expectation?.kind !== 'exit') return [];
  const { exit } = record;
  // With a SIGKILL fallback the target was not gone before the kill, whenever its main process ended.
  const took = (exit.forcedKill ? Math.max(exit.atMs, exit.killedAtMs ?? exit.atMs) : exit.atMs) - first.deliveredMs!;
  // The signal the exit followed, when a later one than the first ended it.
  const later = laterSignalEnded(record, first);
  const evidence = {
    signal: first.signal,
    deliveredMs: first.deliveredMs,
    exitMs: exit.atMs,
    tookMs: Math.round(took),
    withinMs: expectation.within,
    forcedKill: exit.forcedKill,
    lingering: exit.lingering.map((p) => ({ pid: p.pid, comm: p.comm, state: p.state })),
    ...attributionEvidence(later, first, exit),
  };
  if (exit.forcedKill) {
    const who = exit.lingering.map((p) => `${p.comm} (pid ${p.pid}, state ${p.state})`).join(', ');
    const mainGone = exit.killedAtMs !== undefined && exit.atMs < exit.killedAtMs;
    const lead = mainGone ? `the main process exited (${exit.status}${later ? `, ${describeAttribution(later)}` : ''}) but ` : '';
    return [
      {
        oracle: 'deadline',
        verdict: 'fail',
        kind: 'sigkill-needed',
        message: `${lead}${mainGone ? 'part of the target was ' : ''}still running ${Math.round(took)} ms after ${nameOf(first)}${who ? `: ${who}` : ''}; ${killer(record)} sent SIGKILL`,
        evidence,
      },
    ];
  }
  const ok = took <= expectation.within;
  return [
    {
      oracle: 'deadline',
      verdict: ok ? 'pass' : 'fail',
      ...(ok ? {} : { kind: 'too-slow' }),
      message: `gone ${Math.round(took)} ms after ${nameOf(first)} (deadline ${expectation.within} ms)${later ? `; it exited at +${Math.round(exit.atMs)} ms, ${describeAttribution(later)}` : ''}`,
      evidence,
    },
  ];
};
