import type { SignalName } from '../signals.js';
import type { SignalExpectation } from './types.js';

/** A signal the contract says must stop the target (SIGKILL always does): the trial waits for the exit after it. */
export const isTerminating = (expect: Partial<Record<SignalName, SignalExpectation>>, signal: string): boolean =>
  signal === 'SIGKILL' || expect[signal as SignalName]?.kind === 'exit';
