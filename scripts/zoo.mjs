// The zoo matrix: runs every zoo scenario once, on every backend its class applies to, with its own hand-written
// schedule, and checks that each seeded bug is caught by its intended oracle and each twin passes.
// Writes reports/zoo.json and prints a Markdown table. Exit 0 only when every row is as expected.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadScenario, run } from '../dist/index.js';
import { checkZooRow, matrixScenario } from './zoo-check.mjs';

const { targets } = JSON.parse(readFileSync('targets/zoo.json', 'utf8'));
const rows = [];
for (const target of targets) {
  for (const [backend, expected] of Object.entries(target.expect)) {
    const started = Date.now();
    let report;
    try {
      ({ report } = await run(await matrixScenario(target, loadScenario), { backend, reportDir: 'reports' }));
    } catch (error) {
      rows.push({ target: target.scenario, backend, expected: expected.oracle ?? 'pass', verdict: 'error', failing: error.message.split('\n')[0], ok: false });
      continue;
    }
    const problems = checkZooRow(report, expected, target.diagnosis);
    rows.push({
      target: target.scenario,
      backend,
      expected: expected.oracle ?? 'pass',
      verdict: report.verdict,
      failing: report.failures.map((f) => `${f.oracle}/${f.kind}`).join(', ') || '—',
      diagnosis: report.failures.find((f) => `${f.oracle}/${f.kind}` === expected.oracle)?.diagnosis?.id ?? '—',
      status: report.trial?.exit.status,
      seconds: +((Date.now() - started) / 1000).toFixed(1),
      ok: problems.length === 0,
      ...(problems.length ? { problems } : {}),
    });
    console.error(`${problems.length ? '✗' : '✓'} ${target.scenario} (${backend}): ${report.verdict} ${rows.at(-1).failing}`);
  }
}
mkdirSync('reports', { recursive: true });
writeFileSync('reports/zoo.json', `${JSON.stringify({ rows }, null, 2)}\n`);
const table = [
  '| target | backend | expected | verdict | failing oracles | diagnosis | status | ok |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.target} | ${r.backend} | ${r.expected} | ${r.verdict} | ${r.failing} | ${r.diagnosis ?? '—'} | ${r.status ?? ''} | ${r.ok ? '✓' : '✗'} |`),
];
console.log(table.join('\n'));
const bad = rows.filter((r) => !r.ok).length;
console.log(`\n${rows.length - bad} passed, ${bad} failed`);
process.exitCode = bad ? 1 : 0;
