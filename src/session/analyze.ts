import { judge } from '../oracles/judge.js';
import type { OracleResult, Verdict } from '../oracles/verdict.js';
import { readTrialRecord } from '../report/read.js';
import type { TrialRecord } from '../trial/record.js';

export interface AnalyzeResult {
  /** The trial judged: a report's `trial`, or the bare record the file held. */
  record: TrialRecord;
  verdict: Verdict;
  results: OracleResult[];
}

/** `sigstorm analyze`: judges a saved trial again, offline, from a report.json (its `trial`) or a bare trial record. */
export async function analyze(file: string): Promise<AnalyzeResult> {
  const record = await readTrialRecord(file);
  return { record, ...judge(record) };
}
