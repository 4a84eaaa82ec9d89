/** Exit statuses every command uses (docs/architecture.md, Contracts). */
export const ExitCode = {
  ok: 0,
  failed: 1,
  badInput: 2,
  infrastructure: 3,
} as const;

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
