import { describeDiagnosisAfter, describeFirstReproduction, describeRate } from './failure-text.js';
import { describeExplored } from './explored-text.js';
import type { FuzzReport } from './fuzz-report.js';
import { describeTiming } from '../trial/timing.js';

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** The human summary of a campaign: verdict, the minimal schedule step by step, how often it reproduces, how to replay. */
export function formatFuzz(report: FuzzReport, reportPath: string): string {
  const lines: string[] = [];
  const { outcome } = report;
  const head = { pass: 'PASS', fail: 'FAIL', unknown: 'UNKNOWN' }[report.verdict];
  lines.push(
    `${head}  ${report.scenario.name}  (${report.backend} backend, seed ${report.seed}, ${report.schedulesTried} schedules, ` +
      `${report.trialsRun} trials, ${(report.durationMs / 1000).toFixed(1)} s${report.interrupted ? ', interrupted' : ''})`,
  );
  if (outcome.kind === 'failed') {
    lines.push(`  minimal failing schedule (${outcome.minimal.length} event(s), ${outcome.shrinkSteps} shrink step(s)):`);
    for (const step of report.minimalSteps) lines.push(`    ${step}`);
    const r = outcome.reproduction;
    lines.push(
      r.runs === 0
        ? '  not confirmed: the campaign stopped before re-running it'
        : `  reproduces ${r.failed}/${r.runs} (${pct(r.rate)}, 95% interval ${pct(r.interval.low)}–${pct(r.interval.high)})${r.fromEstimate ? ', counting its first failure and re-runs: no time was left to confirm' : ''}`,
    );
    if (outcome.originalReproduction) lines.push(`  ${describeFirstReproduction(outcome.originalReproduction)}`);
    if (report.trial?.timing) lines.push(`  ${describeTiming(report.trial.timing)} (the trial kept)`);
    for (const [i, f] of outcome.failures.entries()) {
      lines.push(`  ✗ ${f.oracle}: ${f.message}`);
      if (f.diagnosis) lines.push(`      ${describeDiagnosisAfter(f.diagnosis, outcome.failures[i - 1]?.diagnosis)}`);
    }
    for (const s of outcome.notReproduced ?? []) lines.push(`  (smaller, but did not fail again in confirmation: ${JSON.stringify(s)})`);
    for (const l of outcome.lessReliable ?? []) lines.push(`  (smaller, but reproduced less often in confirmation, ${describeRate(l.reproduction)}: ${JSON.stringify(l.schedule)})`);
    if (JSON.stringify(outcome.original) !== JSON.stringify(outcome.minimal)) lines.push(`  shrunk from ${outcome.original.length} event(s): ${JSON.stringify(outcome.original)}`);
  }
  for (const f of report.findings) {
    lines.push(`  ${f.confirmed ? 'also' : 'unconfirmed'} (${f.reproduced.k}/${f.reproduced.n}): ${f.signature} with ${JSON.stringify(f.schedule)}`);
  }
  const h = report.horizon;
  if (h?.grewFor) lines.push(`  horizon: grew from ${h.initialMs} ms to ${h.finalMs} ms, to cover ${h.grewFor.what} first seen at +${Math.round(h.grewFor.atMs)} ms`);
  if (report.explored) lines.push(`  ${describeExplored(report.explored)}`);
  const g = report.guided;
  if (g) lines.push(`  guided: ${g.fromCorpus} of ${report.schedulesTried} schedules were mutations from a corpus of ${g.corpus} that showed something new`);
  if (report.infrastructureErrors) lines.push(`  ${report.infrastructureErrors} infrastructure error(s) retried`);
  for (const { message, count } of report.infrastructureMessages ?? []) lines.push(`    ${count} × ${message.split('\n')[0]}`);
  if (report.cut) lines.push(`  cut: ${report.cut.message}`);
  else if (report.shrinkBudgetExhausted) lines.push('  the shrink budget ran out: the schedule above is the smallest found so far');
  for (const note of report.coverage ?? []) lines.push(`  note: ${note.message}`);
  lines.push(`  report: ${reportPath}`);
  if (report.replay) lines.push(`  replay: ${report.replay}`);
  return lines.join('\n');
}
