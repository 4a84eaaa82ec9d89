import { join } from 'node:path';
import type { BackendChoice } from '../backends/backend.js';
import { runCampaign, type CampaignOptions } from '../fuzz/campaign.js';
import { loadFindings, saveFinding } from '../fuzz/findings.js';
import type { CampaignSummary, FuzzReport } from '../report/fuzz-report.js';
import { redact } from '../report/redact.js';
import { replayReportCommand } from '../report/replay-command.js';
import { fromFuzzReport } from '../report/result.js';
import { writeReport } from '../report/write.js';
import { newRunId } from '../run-id.js';
import type { Scenario } from '../scenario/types.js';
import type { TrialRecord } from '../trial/record.js';
import { openScenario, prepare } from './open.js';
import { reportHeader, saveReport } from './report.js';
import { trialFunction } from './trial.js';

export interface FuzzOptions extends CampaignOptions {
  backend?: BackendChoice;
  reportDir?: string;
  runId?: string;
}

export interface FuzzResult {
  report: FuzzReport;
  reportPath: string;
}

/** One campaign of one scenario, reported: checkpoints while it runs, the full report (and its HTML) at the end. */
export async function fuzz(scenarioOrPath: string | Scenario, options: FuzzOptions = {}): Promise<FuzzResult> {
  const session = await openScenario(scenarioOrPath, options.backend);
  await prepare(session);
  const { scenario } = session;
  const runId = options.runId ?? newRunId();
  const reportDir = options.reportDir ?? 'reports';
  const header = reportHeader(session, 'fuzz', runId, new Date());
  const reportPath = join(reportDir, scenario.name, runId, 'report.json');
  // Failure messages quote the target's output: nothing it was given as a secret may reach the report.
  const report = (summary: CampaignSummary, trial?: TrialRecord, passingTrial?: TrialRecord): FuzzReport =>
    redact<FuzzReport>({
      ...header,
      ...summary,
      replay: summary.outcome.kind === 'failed' ? replayReportCommand(reportPath) : null,
      ...(trial ? { trial } : {}),
      ...(passingTrial ? { passingTrial } : {}),
      coverage: scenario.coverage,
    }, session.secrets);
  const saved = await loadFindings(reportDir, scenario.name);

  const { summary, trial, passingTrial } = await runCampaign(scenario, (signal, onFatal) => trialFunction(session, runId, signal, onFatal), options, {
    examples: saved.map((f) => f.schedule),
    // A checkpoint that cannot be written stops nothing: the final report meets the same disk and says so.
    checkpoint: (partial) => writeReport(report(partial), reportDir).then(() => undefined, () => undefined),
  });
  const { outcome } = summary;
  if (outcome.kind === 'failed') {
    // The report below holds the finding too: failing to add it to the database must not lose the campaign.
    await saveFinding(reportDir, scenario.name, { signature: outcome.signature, schedule: outcome.minimal, foundAt: new Date().toISOString(), runId }).catch((error: Error) =>
      process.stderr.write(`sigstorm: warning: cannot save the finding to ${reportDir}: ${error.message}\n`),
    );
  }
  const final = report(summary, trial, passingTrial);
  await saveReport(final, reportDir, (shown) => fromFuzzReport(final, shown));
  return { report: final, reportPath };
}
