import { dirname, join } from 'node:path';
import { displayPath } from './display-path.js';
import { toHtml } from './html.js';
import { resultSet, type ScenarioResult } from './result.js';
import { writeText } from './write.js';

/** Writes report.html next to a scenario's report.json and returns its path. */
export async function writeHtmlBeside(reportPath: string, toResult: (shownPath: string) => ScenarioResult): Promise<string> {
  const result = toResult(displayPath(reportPath));
  const set = resultSet([result], { createdAt: new Date().toISOString() });
  return writeText(join(dirname(reportPath), 'report.html'), toHtml(set, `sigstorm ${result.command} ${result.scenario.name}`));
}
