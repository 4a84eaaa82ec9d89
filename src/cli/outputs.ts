import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { infrastructure } from '../errors.js';
import { toHtml } from '../report/html.js';
import { toJUnit } from '../report/junit.js';
import { toMarkdown } from '../report/markdown.js';
import { verdictLine, type ResultSet } from '../report/result.js';
import { writeText } from '../report/write.js';

export interface OutputOptions {
  /** Where result.json (the combined result, input to `merge`) goes; none when undefined. */
  reportDir?: string | undefined;
  junit?: string | undefined;
  summary?: string | undefined;
  html?: string | undefined;
  /** Print the result set as JSON on stdout (and nothing else there), the verdict line, or nothing. */
  print: 'json' | 'verdict' | 'none';
}

/**
 * Writes every requested rendering of a result set, appends the Markdown summary to $GITHUB_STEP_SUMMARY when
 * GitHub Actions sets it, and prints the final verdict line (or the JSON) on stdout.
 */
export async function writeOutputs(set: ResultSet, options: OutputOptions): Promise<void> {
  if (options.reportDir) await writeText(join(options.reportDir, 'result.json'), `${JSON.stringify(set, null, 2)}\n`);
  if (options.junit) await writeText(options.junit, toJUnit(set));
  const markdown = options.summary || process.env.GITHUB_STEP_SUMMARY ? toMarkdown(set) : '';
  if (options.summary) await writeText(options.summary, markdown);
  if (process.env.GITHUB_STEP_SUMMARY) {
    await appendFile(process.env.GITHUB_STEP_SUMMARY, `${markdown}\n`).catch((error: Error) => {
      throw infrastructure(`cannot append to $GITHUB_STEP_SUMMARY (${process.env.GITHUB_STEP_SUMMARY}): ${error.message}`);
    });
  }
  if (options.html) await writeText(options.html, toHtml(set));
  if (options.print === 'json') process.stdout.write(`${JSON.stringify(set, null, 2)}\n`);
  if (options.print === 'verdict') process.stdout.write(`${verdictLine(set)}\n`);
}
