import type { Diagnosis } from '../oracles/verdict.js';
import type { FixCheck, Reproduction } from './fuzz-report.js';
import type { ScenarioResult } from './result.js';

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** "3/4 (75%, 95% interval 30%–95%)" */
export const describeRate = (r: Reproduction): string => `${r.failed}/${r.runs} (${pct(r.rate)}, 95% interval ${pct(r.interval.low)}–${pct(r.interval.high)})`;

export const describeReproduction = (r: Reproduction): string =>
  `reproduces ${describeRate(r)}${r.fromEstimate ? ', counting its first failure and re-runs: no time was left to confirm' : ''}`;

/** The first failing schedule's estimate, beside the minimal schedule's confirmation. */
export const describeFirstReproduction = (r: Reproduction): string =>
  `the first failing schedule reproduced ${describeRate(r)} ${r.fromEstimate ? 'when found (its estimate)' : 'when found and confirmed (its estimate and confirmation runs)'}`;

/** `replay --against` in lines: both rates with their intervals, then the decision. */
export const fixLines = (f: FixCheck): string[] => [`recorded: ${describeRate(f.before)}`, `now: ${describeRate(f.now)}`, f.message];

/**
 * "likely cause [shell-no-exec, high confidence]: … Fix: …", with ", in python's terms" when the words were written for
 * the target's runtime, or "cause unknown: …" without a catalogue entry.
 */
export const describeDiagnosis = (d: Diagnosis): string =>
  d.id === 'unknown'
    ? `cause unknown — ${d.fix}`
    : `likely cause [${d.id}, ${d.confidence} confidence${d.runtime && d.runtime !== 'unknown' ? `, in ${d.runtime}'s terms` : ''}]: ${d.cause} Fix: ${d.fix}`;

/** The same, shortened when the failure before had the same diagnosis (one root cause often fails several oracles). */
export const describeDiagnosisAfter = (d: Diagnosis, before: Diagnosis | undefined): string =>
  before?.id === d.id && d.id !== 'unknown' ? `likely cause: as above [${d.id}]` : describeDiagnosis(d);

/** A scenario's failure as plain text: the schedule step by step, each failing oracle with its evidence, how to replay. */
export function failureText(s: ScenarioResult): string {
  const lines: string[] = [];
  if (s.error) lines.push(`${s.error.kind}: ${s.error.message}`);
  if (s.steps.length) {
    lines.push(s.command === 'fuzz' ? `minimal failing schedule (${s.steps.length} event(s)):` : `schedule (${s.steps.length} event(s)):`);
    for (const step of s.steps) lines.push(`  ${step}`);
  }
  if (s.fix) lines.push(...fixLines(s.fix));
  else if (s.reproduction) lines.push(describeReproduction(s.reproduction));
  if (s.cut) lines.push(`cut: ${s.cut}`);
  for (const [i, f] of s.failures.entries()) {
    lines.push(`✗ ${f.oracle}${f.kind ? `/${f.kind}` : ''}: ${f.message}`);
    if (f.diagnosis) lines.push(`  ${describeDiagnosisAfter(f.diagnosis, s.failures[i - 1]?.diagnosis)}`);
    if (f.evidence) lines.push(`  evidence: ${JSON.stringify(f.evidence)}`);
  }
  if (s.reportPath) lines.push(`report: ${s.reportPath}`);
  if (s.replay) lines.push(`replay: ${s.replay}`);
  lines.push(...coverageLines(s));
  return lines.join('\n');
}

/** The coverage notes of a scenario, one line each ("note: not tested: SIGHUP — …"). */
export const coverageLines = (s: Pick<ScenarioResult, 'coverage'>): string[] => (s.coverage ?? []).map((n) => `note: ${n.message}`);
