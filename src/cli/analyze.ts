import { readFile } from 'node:fs/promises';
import { badInput, exitCodeFor } from '../errors.js';
import { judge } from '../oracles/judge.js';
import type { TrialRecord } from '../trial/record.js';
import { recordProblems } from '../trial/record-schema.js';

/** Judges a saved trial again, offline: a report.json (its `trial`) or a bare trial record. */
export async function analyzeCommand(file: string, json: boolean): Promise<number> {
  let data: { trial?: TrialRecord } & Partial<TrialRecord>;
  try {
    data = JSON.parse(await readFile(file, 'utf8')) as typeof data;
  } catch (error) {
    throw badInput(`${file}: cannot read a report or trial record (${(error as Error).message})`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw badInput(`${file}: expected a report or trial record (a JSON object)`);
  const record = data.trial ?? (data.events && data.exit ? (data as TrialRecord) : undefined);
  if (!record) throw badInput(`${file}: holds no trial record (a report of a trial that never ran has none)`);
  const problems = recordProblems(record);
  if (problems.length) throw badInput(`${file}: not a trial record sigstorm can judge:\n${problems.map((p) => `  ${data.trial ? 'trial.' : ''}${p}`).join('\n')}`);
  const { verdict, results } = judge(record);
  if (json) process.stdout.write(`${JSON.stringify({ verdict, results }, null, 2)}\n`);
  else {
    process.stdout.write(`${verdict.toUpperCase()}  ${record.scenario.name}  (re-judged from ${file})\n`);
    for (const r of results) process.stdout.write(`  ${r.verdict === 'pass' ? '✓' : r.verdict === 'fail' ? '✗' : '?'} ${r.oracle}: ${r.message}\n`);
  }
  return exitCodeFor(verdict);
}
