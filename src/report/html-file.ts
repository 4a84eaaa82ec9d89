import { dirname, join } from 'node:path';
import { displayPath } from './display-path.js';
import { toHtml } from './html.js';
import { resultSet, type ScenarioResult } from './result.js';
import { writeText } from './write.js';

/**
 * Writes report.html next to a scenario's report.json and returns its path. The page is a view of report.json:
 * failing to write it is a warning, never a reason to lose the verdict.
 */
export async function writeHtmlBeside(reportPath: string, toResult: (shownPath: string) => ScenarioResult): Promise<string | undefined> {
  const result = toResult(displayPath(reportPath));
  const set = resultSet([result], { createdAt: new Date().toISOString() });
  const path = join(dirname(reportPath), 'report.html');
  return writeText(path, toHtml(set, `sigstorm ${result.command} ${result.scenario.name}`)).catch((error: Error) => {
    process.stderr.write(`sigstorm: warning: ${error.message}\n`);
    return undefined;
  });
}
