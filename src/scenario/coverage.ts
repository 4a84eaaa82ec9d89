import type { SignalName } from '../signals.js';
import { FORCE_EXIT_DECLARATION, type SecondSignalPolicy } from './second-signal.js';

/**
 * A note on what a scenario's verdicts do not cover or assume, reported and never failed: a signal that
 * orchestrators and operators send but the campaign does not, or the second-signal policy the oracles judged by.
 */
export type CoverageNote = UntestedSignalNote | SecondSignalPolicyNote;

export interface UntestedSignalNote {
  /** Absent in reports written before the policy note existed. */
  kind?: 'untested';
  signal: SignalName;
  /** Who sends it in production. */
  sentBy: string;
  /** What the scenario would need to test it. */
  hint: string;
  /** The whole note as one line. */
  message: string;
}

export interface SecondSignalPolicyNote {
  kind: 'second-signal-policy';
  policy: SecondSignalPolicy['policy'];
  within: number;
  declared: boolean;
  /** The whole note as one line. */
  message: string;
}

/** Signals a service meets without asking for them, and who sends each. */
const SENT_BY: [SignalName, string][] = [
  ['SIGTERM', 'the default stop signal of Kubernetes, systemd and `kill`, sent whenever the image or unit names no other'],
  ['SIGINT', 'Ctrl-C in a terminal, and `docker compose up` or a supervisor passing it on'],
  ['SIGHUP', 'logrotate scripts and reload commands, and the hang-up of a closed terminal'],
];

/**
 * The notes for a fault space that sends `tested`. A signal the scenario declared but left out of an explicit
 * `faults.signals` needs that list widened; an undeclared one needs an expectation first.
 */
export function coverageNotes(tested: readonly SignalName[], declared: readonly SignalName[]): UntestedSignalNote[] {
  return SENT_BY.filter(([signal]) => !tested.includes(signal)).map(([signal, sentBy]) => {
    const hint = declared.includes(signal)
      ? `add it to \`faults.signals\` to test it`
      : `declare what must hold after it under \`expect\` to test it`;
    return { kind: 'untested', signal, sentBy, hint, message: `not tested: ${signal} — ${sentBy}; ${hint}` };
  });
}

/** The second-signal policy in force, as a note: every report says which one judged its trials, and how to change it. */
export function secondSignalNote(p: SecondSignalPolicy, stopSignal: SignalName): SecondSignalPolicyNote {
  const message = p.declared
    ? p.policy === 'force-exit'
      ? `second signal: \`force-exit\` (declared): a repeated stop signal must end the target within ${p.within} ms${p.exit ? `, with ${p.exit.join(', ')}` : ''}`
      : `second signal: \`ignore\` (declared): a repeated stop signal must not cut the drain short`
    : `second signal: \`ignore\`, the default: a repeated ${stopSignal} during the drain must not cut it short (production sends stop signals twice); ` +
      `if it means "stop now" for this service, declare \`${FORCE_EXIT_DECLARATION}\``;
  return { kind: 'second-signal-policy', policy: p.policy, within: p.within, declared: p.declared, message };
}

/** The notes on signals not tested (the policy note aside). */
export const untestedSignals = (notes: readonly CoverageNote[] | undefined): UntestedSignalNote[] =>
  (notes ?? []).filter((n): n is UntestedSignalNote => n.kind !== 'second-signal-policy');

/** The policy note, when the report has one. */
export const policyNote = (notes: readonly CoverageNote[] | undefined): SecondSignalPolicyNote | undefined =>
  (notes ?? []).find((n): n is SecondSignalPolicyNote => n.kind === 'second-signal-policy');
