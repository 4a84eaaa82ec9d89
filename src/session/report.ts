import { journal } from '../leftovers/journal.js';
import { writeHtmlBeside } from '../report/html-file.js';
import type { ReportHeader } from '../report/report.js';
import type { ScenarioResult } from '../report/result.js';
import { writeReport } from '../report/write.js';
import { VERSION } from '../version.js';
import type { Session } from './open.js';

/** What every report.json of this session starts with. */
export function reportHeader<Command extends string>(session: Session, command: Command, runId: string, createdAt: Date): ReportHeader<Command> {
  return {
    schemaVersion: 1,
    tool: { name: 'sigstorm', version: VERSION },
    command,
    runId,
    createdAt: createdAt.toISOString(),
    scenario: { name: session.scenario.name, path: session.scenario.path },
    backend: session.backend.name,
  };
}

/**
 * Writes a finished (already masked) report: report.json, and report.html beside it as a view of it. Returns the
 * path of report.json; a report that cannot be written throws UnsavedReport carrying it.
 */
export async function saveReport(
  report: { scenario: { name: string }; runId: string },
  reportDir: string,
  toResult: (shownPath: string) => ScenarioResult,
): Promise<string> {
  journal.phase('reporting', report.scenario.name);
  const path = await writeReport(report, reportDir);
  await writeHtmlBeside(path, toResult);
  return path;
}
