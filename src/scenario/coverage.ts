import type { SignalName } from '../signals.js';

/** A signal that orchestrators and operators send but the scenario's campaign does not: reported, never failed. */
export interface CoverageNote {
  signal: SignalName;
  /** Who sends it in production. */
  sentBy: string;
  /** What the scenario would need to test it. */
  hint: string;
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
export function coverageNotes(tested: readonly SignalName[], declared: readonly SignalName[]): CoverageNote[] {
  return SENT_BY.filter(([signal]) => !tested.includes(signal)).map(([signal, sentBy]) => {
    const hint = declared.includes(signal)
      ? `add it to \`faults.signals\` to test it`
      : `declare what must hold after it under \`expect\` to test it`;
    return { signal, sentBy, hint, message: `not tested: ${signal} — ${sentBy}; ${hint}` };
  });
}
