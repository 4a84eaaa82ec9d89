import { expectationNote, serverNamed, wordsOf } from '../servers/named.js';
import type { SignalName } from '../signals.js';
import { FORCE_EXIT_DECLARATION, type SecondSignalPolicy } from './second-signal.js';

/**
 * A note on what a scenario's verdicts do not cover or assume, reported and never failed: a signal that
 * orchestrators and operators send but the campaign does not, or the second-signal policy the oracles judged by.
 */
export type CoverageNote = UntestedSignalNote | SecondSignalPolicyNote | ServerSignalNote;

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

/** What the server catalogue (docs/servers.md) says against an expectation, for a server the target's command or image names. */
export interface ServerSignalNote {
  kind: 'server-signal';
  /** The catalogue's id of the server. */
  server: string;
  signal: SignalName;
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

/**
 * The catalogue's notes on the expectations, when the target's command or image names a catalogued server (a guess
 * from words: it only adds notes; diagnoses recognise the server from the trial record).
 */
export function serverNotes(command: readonly string[], image: string | undefined, expect: Partial<Record<SignalName, { kind: string }>>): ServerSignalNote[] {
  const server = serverNamed(wordsOf(command, image));
  if (!server) return [];
  return (Object.entries(expect) as [SignalName, { kind: string }][]).flatMap(([signal, e]) => {
    if (e.kind !== 'exit' && e.kind !== 'alive') return [];
    const note = expectationNote(server, signal, e.kind);
    return note ? [{ kind: 'server-signal' as const, server: server.id, signal, message: `${note} (docs/servers.md)` }] : [];
  });
}

/** The notes on signals not tested (the policy and server notes aside). */
export const untestedSignals = (notes: readonly CoverageNote[] | undefined): UntestedSignalNote[] =>
  (notes ?? []).filter((n): n is UntestedSignalNote => n.kind === undefined || n.kind === 'untested');

/** The server catalogue's notes, when the report has them. */
export const serverSignalNotes = (notes: readonly CoverageNote[] | undefined): ServerSignalNote[] =>
  (notes ?? []).filter((n): n is ServerSignalNote => n.kind === 'server-signal');

/** The policy note, when the report has one. */
export const policyNote = (notes: readonly CoverageNote[] | undefined): SecondSignalPolicyNote | undefined =>
  (notes ?? []).find((n): n is SecondSignalPolicyNote => n.kind === 'second-signal-policy');
