import { shardLabel, verdictLine } from '../report/result.js';
import { mergeReports } from '../session/merge.js';
import { writeOutputs } from './outputs.js';

export interface MergeArgs {
  reports: string[];
  json: boolean;
  quiet: boolean;
  junit?: string | undefined;
  summary?: string | undefined;
  html?: string | undefined;
}

/** `sigstorm merge`: one verdict, exit status and set of reports from the results of several shards. */
export async function mergeCommand(args: MergeArgs): Promise<number> {
  const merged = await mergeReports(args.reports);
  // Scenarios that never got a verdict say why; the exit status alone would leave a person guessing.
  for (const s of merged.scenarios) if (s.error) process.stderr.write(`sigstorm: merge: ${s.scenario.path}: ${s.error.kind}: ${s.error.message}\n`);
  if (merged.missingShards?.length) process.stderr.write(`sigstorm: merge: no result for ${shardLabel(merged.missingShards)}: its scenarios went untested\n`);
  await writeOutputs(merged, { junit: args.junit, summary: args.summary, html: args.html, print: args.json ? 'json' : 'none' });
  if (!args.json) {
    if (!args.quiet) {
      for (const s of merged.scenarios) process.stdout.write(`${s.verdict.toUpperCase().padEnd(8)}${s.scenario.name}  (${s.scenario.path})\n`);
    }
    process.stdout.write(`${verdictLine(merged)}\n`);
  }
  return merged.exitCode;
}
