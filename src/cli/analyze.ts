import { exitCodeFor } from '../errors.js';
import { analyze } from '../session/analyze.js';

/** `sigstorm analyze`: judges a saved trial again, offline: a report.json (its `trial`) or a bare trial record. */
export async function analyzeCommand(file: string, json: boolean): Promise<number> {
  const { record, verdict, results } = await analyze(file);
  if (json) process.stdout.write(`${JSON.stringify({ verdict, results }, null, 2)}\n`);
  else {
    process.stdout.write(`${verdict.toUpperCase()}  ${record.scenario.name}  (re-judged from ${file})\n`);
    for (const r of results) process.stdout.write(`  ${r.verdict === 'pass' ? '✓' : r.verdict === 'fail' ? '✗' : '?'} ${r.oracle}: ${r.message}\n`);
  }
  return exitCodeFor(verdict);
}
