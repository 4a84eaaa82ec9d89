import type { Schedule } from '../schedule/event.js';
import type { OracleResult } from '../oracles/verdict.js';
import type { TrialRecord } from '../trial/record.js';

// The contract between the fuzzer and the session: the session runs and judges a trial, the fuzzer sees its outcome.

/** What one trial of a schedule came to, as the fuzzer needs it. */
export type TrialOutcome =
  | { kind: 'pass'; record?: TrialRecord; spawnToReadyMs?: number }
  | { kind: 'fail'; signatures: string[]; failures: OracleResult[]; record?: TrialRecord }
  | { kind: 'infrastructure'; error: string };

export type TrialFn = (schedule: Schedule) => Promise<TrialOutcome>;

/** A failure's signature: the failures of two trials are the same failure when their signatures are equal. */
export const signatureOf = (r: OracleResult): string => `${r.oracle}/${r.kind ?? 'fail'}`;
