import { statusForSignal } from './signals.js';

/** Exit statuses every command uses (docs/architecture.md, Contracts). */
export const ExitCode = {
  ok: 0,
  failed: 1,
  badInput: 2,
  infrastructure: 3,
} as const;

/** The signals that interrupt a command: it ends the work, cleans up, writes the partial report and exits 128 + n. */
export const INTERRUPT_SIGNALS = ['SIGHUP', 'SIGINT', 'SIGTERM'] as const;

/**
 * Every exit status with what it means, and the rules that pick one: docs/reference/exit-codes.md is generated from
 * these (scripts/docs.mjs), so a new status or rule written here reaches the docs.
 */
export const EXIT_STATUSES: readonly { status: number | readonly number[]; meaning: string }[] = [
  { status: ExitCode.ok, meaning: 'every expectation held' },
  { status: ExitCode.failed, meaning: 'an expectation failed: a bug was found (the report has the evidence and a `sigstorm replay` command)' },
  { status: ExitCode.badInput, meaning: 'bad input: the command line, a scenario or a schedule (the message names the file, line and key path)' },
  {
    status: ExitCode.infrastructure,
    meaning:
      'infrastructure: no Docker engine (or it stopped answering), an image build failed, the target never became ready or died in start-up before any signal, a report could not be written; also a verdict of `unknown` (nothing decided)',
  },
  {
    status: INTERRUPT_SIGNALS.map(statusForSignal),
    meaning: `interrupted by ${INTERRUPT_SIGNALS.join(' / ')}: 128 + the number of the first signal; the partial report is written`,
  },
  {
    status: statusForSignal('SIGPIPE'),
    meaning: "its output closed by whoever read it (a pipe's reader gone, as `head` does once it has its lines): taken as a SIGPIPE, the work ends as at an interrupt; the partial report is written",
  },
];

/** How a command that is not one plain verdict picks its status. */
export const EXIT_STATUS_RULES: readonly string[] = [
  'Over several scenarios, and in `merge`, the status is the highest of the scenarios\': a bad file (2) or a broken engine (3) is not hidden behind a bug found elsewhere.',
  '`replay --against` decides whether a finding is fixed: 0 fixed, 1 still failing, 3 not enough runs to tell.',
  '`validate` exits 2 when any file is not a valid scenario; `gc` exits 3 when a removal failed or no engine answers.',
];

/** A verdict as an exit status: unknown (nothing decided) counts as an infrastructure failure. */
export const exitCodeFor = (verdict: 'pass' | 'fail' | 'unknown'): number =>
  verdict === 'pass' ? ExitCode.ok : verdict === 'fail' ? ExitCode.failed : ExitCode.infrastructure;

export type ErrorKind = 'bad-input' | 'infrastructure';

/** An error meant for the user: printed as its message alone, never with a stack trace. */
export class SigstormError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'SigstormError';
  }

  get exitCode(): number {
    return this.kind === 'bad-input' ? ExitCode.badInput : ExitCode.infrastructure;
  }
}

export const badInput = (message: string, hint?: string) => new SigstormError('bad-input', message, hint);
export const infrastructure = (message: string, hint?: string) => new SigstormError('infrastructure', message, hint);

/** The exit status an error ends a command with: its own for a SigstormError, infrastructure for a bug in sigstorm. */
export const exitCodeOf = (error: unknown): number => (error instanceof SigstormError ? error.exitCode : ExitCode.infrastructure);
