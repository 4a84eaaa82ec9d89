import type { TrialRecord } from '../trial/record.js';
import { cluesOf } from './clues.js';
import { catalogueOf, textFor, type Entry, type Text } from './diagnoses.js';
import type { Diagnosis, OracleResult } from './verdict.js';

/** What a failure gets when no entry of the catalogue explains it from the record's evidence. */
export const UNKNOWN: Diagnosis = {
  id: 'unknown',
  cause: 'Cause unknown: the evidence in the record fits no diagnosis of the catalogue.',
  fix: "Read the failing oracle's evidence and the target's log around the signal.",
  confidence: 'low',
};

const explains = (entry: Entry, f: OracleResult) => entry.explains.some((k) => k === `${f.oracle}/${f.kind}` || k === `${f.oracle}/*`);

/**
 * The results with a diagnosis on each failure: the first catalogue entry that explains it and finds its evidence
 * in the record, or UNKNOWN. Pure: a function of the record and the results alone; passes and unknowns get none.
 */
export function diagnose(record: TrialRecord, results: OracleResult[]): OracleResult[] {
  if (!results.some((r) => r.verdict === 'fail')) return results;
  // A rollout's replica failed by a single target's oracle: diagnosed from that replica's own record, as it was judged.
  const laneOf = (r: OracleResult) => record.rollout?.replicas.find((l) => l.record && l.name === r.evidence?.replica);
  if (results.some(laneOf)) {
    const own = diagnoseRecord(record, results.filter((r) => !laneOf(r)));
    return results.map((r) => (laneOf(r) ? diagnoseRecord(laneOf(r)!.record!, [r])[0]! : own.shift()!));
  }
  return diagnoseRecord(record, results);
}

function diagnoseRecord(record: TrialRecord, results: OracleResult[]): OracleResult[] {
  if (!results.some((r) => r.verdict === 'fail')) return results;
  const clues = cluesOf(record);
  const catalogue = catalogueOf();
  return results.map((f) => {
    if (f.verdict !== 'fail') return f;
    const entry = catalogue.find((e) => explains(e, f) && e.when(clues, f));
    if (!entry) return { ...f, diagnosis: UNKNOWN };
    const cause = textFor(entry.cause, clues.runtime);
    const fix = textFor(entry.fix, clues.runtime);
    const text = (s: Text) => (typeof s === 'string' ? s : s(clues, f));
    // The runtime either sentence was written for; `unknown` when only the neutral ones were there to use.
    const runtime = [cause.runtime, fix.runtime].find((r) => r !== undefined && r !== 'unknown') ?? cause.runtime ?? fix.runtime;
    const source = entry.source?.(clues, f);
    const documented = source ? { server: source.server, source: { url: source.url, quote: source.quote } } : {};
    return {
      ...f,
      diagnosis: { id: entry.id, cause: text(cause.text), fix: text(fix.text), confidence: entry.confidence, ...(runtime ? { runtime } : {}), ...documented },
    };
  });
}
