import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { badInput } from '../errors.js';
import type { FuzzReport } from '../fuzz/campaign.js';
import { issueLines } from '../input/zod-issue.js';
import { mergeResultSets } from '../report/merge.js';
import type { Report } from '../report/report.js';
import { fromFuzzReport, fromRunReport, resultSet, shardLabel, verdictLine, type ResultSet, type ScenarioResult } from '../report/result.js';
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
  // yargs drops a lone "-": what is left may be nothing at all, and nothing merged must not read as a pass.
  if (args.reports.length === 0) throw badInput('merge: name the report directories or result.json files to merge');
  const sets: ResultSet[] = [];
  for (const input of args.reports) sets.push(...(await loadResults(input)));
  const merged = mergeResultSets(sets);
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

/**
 * The result sets in one input: a result.json, a report.json (of `run` or `fuzz`), or a directory. In a directory
 * the result.json files (of each shard's invocation) count; where there are none, every report.json below it does,
 * the newest per scenario.
 */
export async function loadResults(input: string): Promise<ResultSet[]> {
  const info = await stat(input).catch(() => undefined);
  if (!info) throw badInput(`merge: ${input}: no such file or directory`);
  if (!info.isDirectory()) return [await loadFile(input)];
  const results = await findFiles(input, 'result.json');
  if (results.length) return Promise.all(results.map(loadFile));
  const reports = await findFiles(input, 'report.json');
  if (!reports.length) throw badInput(`merge: ${input}: holds neither a result.json nor a report.json`);
  const newest = new Map<string, { createdAt: string; set: ResultSet }>();
  for (const file of reports) {
    const set = await loadFile(file);
    const key = set.scenarios[0]!.scenario.path;
    if ((newest.get(key)?.createdAt ?? '') < set.createdAt) newest.set(key, { createdAt: set.createdAt, set });
  }
  return [...newest.values()].map((n) => n.set);
}

async function loadFile(file: string): Promise<ResultSet> {
  let data: Record<string, unknown> | null;
  try {
    data = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw badInput(`merge: ${file}: cannot read it as JSON (${(error as Error).message})`);
  }
  if (data?.kind === 'sigstorm-results') {
    const checked = ResultSetShape.safeParse(data);
    if (!checked.success) throw badInput(`merge: ${file}: not a result.json sigstorm can read: ${firstIssue(checked.error)}`);
    return data as unknown as ResultSet;
  }
  const created = { createdAt: String(data?.createdAt ?? '') };
  if (data?.command === 'fuzz' || data?.command === 'run') {
    let result: unknown;
    try {
      result = data.command === 'fuzz' ? fromFuzzReport(data as unknown as FuzzReport, file) : fromRunReport(data as unknown as Report, file);
    } catch (error) {
      throw badInput(`merge: ${file}: not a report.json sigstorm can read (${(error as Error).message})`);
    }
    const checked = ScenarioResultShape.safeParse(result);
    if (!checked.success) throw badInput(`merge: ${file}: not a report.json sigstorm can read: ${firstIssue(checked.error)}`);
    return resultSet([result as ScenarioResult], created);
  }
  throw badInput(`merge: ${file}: neither a sigstorm result.json nor a report.json`);
}

/** What merge and the renderers read of a result.json (written by another sigstorm, perhaps another version). */
const ScenarioResultShape = z.looseObject({
  scenario: z.looseObject({ name: z.string(), path: z.string() }),
  command: z.enum(['run', 'fuzz']),
  verdict: z.enum(['pass', 'fail', 'unknown', 'skipped']),
  exitCode: z.number().int().min(0).max(255),
  durationMs: z.number(),
  trialsRun: z.number(),
  steps: z.array(z.string()),
  failures: z.array(z.looseObject({ oracle: z.string(), verdict: z.string(), message: z.string() })),
  error: z.looseObject({ kind: z.string(), message: z.string() }).optional(),
});
const ResultSetShape = z.looseObject({
  createdAt: z.string(),
  shards: z.array(z.looseObject({ index: z.number().int().min(1), total: z.number().int().min(1) })),
  interrupted: z.boolean(),
  scenarios: z.array(ScenarioResultShape),
});

const firstIssue = (error: z.ZodError) => issueLines(error, '(top)')[0]!;

/** Files named `name` in `dir` and below (a few levels: artifact downloads nest), in a stable order. */
async function findFiles(dir: string, name: string, depth = 4): Promise<string[]> {
  const out: string[] = [];
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    if (e.isFile() && e.name === name) out.push(join(dir, e.name));
    else if (e.isDirectory() && depth > 0) out.push(...(await findFiles(join(dir, e.name), name, depth - 1)));
  }
  return out;
}
