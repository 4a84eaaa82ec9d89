import type { TrialRecord } from '../trial/record.js';
import type { Runtime } from './runtime.js';

export type Verdict = 'pass' | 'fail' | 'unknown';

/** What one oracle concluded about one trial; `evidence` is plain data a person can check by hand. */
export interface OracleResult {
  oracle: string;
  verdict: Verdict;
  /** A stable failure signature within the oracle, e.g. "wrong-status" or "sigkill-needed". */
  kind?: string;
  message: string;
  evidence?: Record<string, unknown>;
  /** For a failure: its likely root cause, read from the record's evidence (see diagnose.ts). */
  diagnosis?: Diagnosis;
}

/**
 * The likely root cause of a failure: one sentence of cause, one of fix, how sure the evidence makes it. `id` names
 * the catalogue entry (`unknown` when the evidence fits none, or is ambiguous).
 */
export interface Diagnosis {
  id: string;
  cause: string;
  fix: string;
  confidence: 'high' | 'medium' | 'low';
  /**
   * The runtime whose API the cause and fix are written in (runtime.ts), for entries whose words differ by runtime;
   * `unknown` when the record named none the entry has words for, and the text is runtime-neutral. Absent for entries
   * whose text is the same for every runtime.
   */
  runtime?: Runtime;
  /** The catalogued server (src/servers/) whose documented behaviour the cause and fix speak of, by its id. */
  server?: string;
  /** Where that behaviour is documented: the page and the sentence quoted from it. */
  source?: { url: string; quote: string };
}

export type Oracle = (record: TrialRecord) => OracleResult[];

/** Overall verdict: any failure fails; otherwise any unknown is unknown. */
export const combine = (results: OracleResult[]): Verdict =>
  results.some((r) => r.verdict === 'fail') ? 'fail' : results.some((r) => r.verdict === 'unknown') ? 'unknown' : 'pass';
