import { anchorOf, describeEvent, describeFileAnchor, fromSpawn, isFileAnchor, isLineAnchor, type FaultEvent } from '../schedule/event.js';
import { describeHeld, type PlayedEvent } from '../schedule/played.js';
import { describeStatus } from '../oracles/terminating.js';
import type { Diagnosis } from '../oracles/verdict.js';
import { describeDiagnosisAfter } from './failure-text.js';
import type { Report } from './report.js';
import { describeTiming } from '../trial/timing.js';
import { signedMs } from '../time.js';
import { describeStop } from './stop-steps.js';

/** The short human verdict printed after `sigstorm run`. */
export function formatRun(report: Report, reportPath: string): string {
  const lines: string[] = [];
  const head = { pass: 'PASS', fail: 'FAIL', unknown: 'UNKNOWN' }[report.verdict];
  lines.push(`${head}  ${report.scenario.name}  (${report.backend} backend${report.interrupted ? ', interrupted' : ''})`);
  const trial = report.trial;
  if (trial) {
    lines.push(
      trial.exitedInStartup
        ? `  never ready: exited during its start-up (seen ${Math.round(trial.spawnToReadyMs)} ms after start; times below count from then)`
        : `  ready ${Math.round(trial.spawnToReadyMs)} ms after start`,
    );
    for (const e of trial.events) {
      // The stop sequence's own steps are listed with it, below.
      if (trial.stop && (e.origin === 'stop' || (e.origin === 'teardown' && e.kind !== 'stop') || e.kind === 'stop')) continue;
      const held = describeHeld(e);
      const when = e.deliveredMs !== undefined ? `delivered ${signedMs(e.deliveredMs)}${e.via ? ` via ${e.via}` : ''}${held ? `, ${held}` : ''}` : `not delivered: ${e.error}`;
      // Played times count from readiness: an event timed from spawn shows that time, and its own in brackets.
      const step = describeEvent({ ...e, at: e.scheduledMs, ...(fromSpawn(e) ? { from: 'ready' } : {}), ...(anchorOf(e) ? { after: undefined } : {}) } as FaultEvent);
      lines.push(`  ${step}${fromSpawn(e) ? ` (spawn+${Math.round(e.at)} ms)` : ''}${anchored(e)}${e.origin === 'teardown' ? ' (stop)' : ''}  ${when}`);
    }
    if (trial.stop) lines.push(...describeStop(trial.stop).map((l) => `  ${l}`));
    if (trial.timing) lines.push(`  ${describeTiming(trial.timing)}`);
    const exit = trial.exit;
    const kill = exit.killedAtMs !== undefined ? `; SIGKILL by sigstorm at ${signedMs(exit.killedAtMs)}` : '';
    const left = exit.lingering.length ? ` (${exit.lingering.length} process(es) still running then)` : '';
    lines.push(`  exit ${describeStatus(exit.status)} at ${signedMs(exit.atMs)}${kill}${left}`);
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

/**
 * An event timed from a line, a request or a write, as played: " (3 ms after the line "reopening logs" read at +2001 ms)",
 * " (10 ms after request 2 to /transfer, #21, was sent at +1003 ms)", " (0 ms after the write of "snapshot" seen at +1002 ms)".
 */
function anchored(e: PlayedEvent): string {
  const anchor = anchorOf(e);
  if (!anchor) return '';
  if (isLineAnchor(anchor)) {
    const line = `the line ${JSON.stringify(anchor.log)}`;
    return e.anchorMs === undefined ? ` (after ${line}, never read)` : ` (${Math.round(e.scheduledMs - e.anchorMs)} ms after ${line} read at ${signedMs(e.anchorMs)})`;
  }
  if (isFileAnchor(anchor)) {
    const write = describeFileAnchor(anchor);
    return e.anchorMs === undefined ? ` (after ${write}, never seen)` : ` (${Math.round(e.scheduledMs - e.anchorMs)} ms after ${write} seen at ${signedMs(e.anchorMs)})`;
  }
  const request = `request ${anchor.request}${anchor.path ? ` to ${anchor.path}` : ''}`;
  const phase = anchor.phase === 'sent' ? 'was sent' : 'was answered';
  if (e.anchorMs === undefined) return ` (after ${request} ${phase}: not seen)`;
  return ` (${Math.round(e.scheduledMs - e.anchorMs)} ms after ${request}${e.anchorRequest !== undefined ? `, #${e.anchorRequest},` : ''} ${phase} at ${signedMs(e.anchorMs)})`;
}
