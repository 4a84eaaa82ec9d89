import { describeEvent } from '../schedule/event.js';
import { describeStatus } from '../oracles/terminating.js';
import type { Diagnosis } from '../oracles/verdict.js';
import { describeDiagnosisAfter } from './failure-text.js';
import type { Report } from './report.js';

/** The short human verdict printed after `sigstorm run`. */
export function formatRun(report: Report, reportPath: string): string {
  const lines: string[] = [];
  const head = { pass: 'PASS', fail: 'FAIL', unknown: 'UNKNOWN' }[report.verdict];
  lines.push(`${head}  ${report.scenario.name}  (${report.backend} backend${report.interrupted ? ', interrupted' : ''})`);
  const trial = report.trial;
  if (trial) {
    lines.push(`  ready ${Math.round(trial.spawnToReadyMs)} ms after start`);
    for (const e of trial.events) {
      const when = e.deliveredMs !== undefined ? `delivered +${Math.round(e.deliveredMs)} ms via ${e.via}` : `not delivered: ${e.error}`;
      lines.push(`  ${describeEvent({ ...e, at: e.scheduledMs })}${e.origin === 'teardown' ? ' (stop)' : ''}  ${when}`);
    }
    const exit = trial.exit;
    const kill = exit.killedAtMs !== undefined ? `; SIGKILL by sigstorm at +${Math.round(exit.killedAtMs)} ms` : '';
    const left = exit.lingering.length ? ` (${exit.lingering.length} process(es) still running then)` : '';
    lines.push(`  exit ${describeStatus(exit.status)} at +${Math.round(exit.atMs)} ms${kill}${left}`);
  }
  if (report.error) lines.push(`  error: ${report.error.message}`);
  if (report.interrupted) lines.push('  interrupted: the trial did not run to its end, so the results below decide nothing');
  let before: Diagnosis | undefined;
  for (const r of report.results) {
    lines.push(`  ${r.verdict === 'pass' ? '✓' : r.verdict === 'fail' ? '✗' : '?'} ${r.oracle}: ${r.message}`);
    if (r.diagnosis) lines.push(`      ${describeDiagnosisAfter(r.diagnosis, before)}`);
    before = r.diagnosis ?? before;
  }
  for (const note of report.coverage ?? []) lines.push(`  note: ${note.message}`);
  lines.push(`  report: ${reportPath}`);
  if (report.verdict !== 'pass') lines.push(`  replay: ${report.replay}`);
  return lines.join('\n');
}
