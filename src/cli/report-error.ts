import { exitCodeOf, SigstormError } from '../errors.js';
import { UnsavedReport } from '../report/write.js';

/** Prints an error for a person: the message for known errors, a stack only for sigstorm's own bugs. */
export function reportError(error: unknown): number {
  if (error instanceof UnsavedReport) process.stdout.write(`${JSON.stringify(error.report, null, 2)}\n`);
  if (error instanceof SigstormError) {
    process.stderr.write(`sigstorm: ${error.message}\n${error.hint ? `  ${error.hint}\n` : ''}`);
  } else {
    process.stderr.write(`sigstorm: internal error (a bug in sigstorm, please report it):\n${(error as Error)?.stack ?? String(error)}\n`);
  }
  return exitCodeOf(error);
}
