import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { badInput } from '../errors.js';
import { mergeResultSets } from '../report/merge.js';
import { readResults } from '../report/read.js';
import type { ResultSet } from '../report/result.js';

/**
 * The result sets in one input: a result.json, a report.json (of `run` or `fuzz`), or a directory. In a directory
 * the result.json files (of each shard's invocation) count; where there are none, every report.json below it does,
 * the newest per scenario.
 */
export async function loadResults(input: string): Promise<ResultSet[]> {
  const info = await stat(input).catch(() => undefined);
  if (!info) throw badInput(`merge: ${input}: no such file or directory`);
  if (!info.isDirectory()) return [await readResults(input)];
  const results = await findFiles(input, 'result.json');
  if (results.length) return Promise.all(results.map(readResults));
  const reports = await findFiles(input, 'report.json');
  if (!reports.length) throw badInput(`merge: ${input}: holds neither a result.json nor a report.json`);
  const newest = new Map<string, { createdAt: string; set: ResultSet }>();
  for (const file of reports) {
    const set = await readResults(file);
    const key = set.scenarios[0]!.scenario.path;
    if ((newest.get(key)?.createdAt ?? '') < set.createdAt) newest.set(key, { createdAt: set.createdAt, set });
  }
  return [...newest.values()].map((n) => n.set);
}

/**
 * `sigstorm merge`: the results of several shards (each a result.json, a report.json or a directory, see loadResults)
 * as one result set, with one verdict and exit status (see mergeResultSets).
 */
export async function mergeReports(inputs: readonly string[]): Promise<ResultSet> {
  // Nothing merged must not read as a pass (yargs drops a lone "-": the command line may hand over nothing at all).
  if (inputs.length === 0) throw badInput('merge: name the report directories or result.json files to merge');
  const sets: ResultSet[] = [];
  for (const input of inputs) sets.push(...(await loadResults(input)));
  return mergeResultSets(sets);
}

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
