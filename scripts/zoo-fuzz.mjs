// The zoo campaign: fuzzes every zoo scenario from its fault space alone (no hand-written schedule) and checks that
// every seeded bug is found and every twin passes, each within the same budget. Writes reports/zoo-fuzz.json and a
// Markdown table. Usage: npm run zoo:fuzz [-- budget-seconds runs [--both] [--only regex]]
//   --both        every backend the row lists (default: the quicker one where the class applies)
//   --only regex  only the scenarios whose name matches
import { mkdirSync, writeFileSync } from 'node:fs';
import { fuzzZooRow, rowLine } from './zoo-campaign.mjs';
import { zooArgs } from './zoo-args.mjs';

const { numbers, runs: zooRuns } = zooArgs(process.argv.slice(2), [90, 40]);
const budgetMs = numbers[0] * 1000;
const runs = numbers[1];
// A fresh report directory: no failure database from an earlier campaign, so every find is made from scratch.
const reportDir = `reports/zoo-fuzz-runs/${new Date().toISOString().replace(/[:.]/g, '')}`;
const rows = [];
for (const [target, backend] of zooRuns) {
  const row = await fuzzZooRow(target, backend, { runs, budgetMs, reportDir });
  rows.push(row);
  console.error(rowLine(row));
}
mkdirSync('reports', { recursive: true });
writeFileSync('reports/zoo-fuzz.json', `${JSON.stringify({ budgetMs, runs, reportDir, rows }, null, 2)}\n`);
console.log(
  [
    '| target | backend | bug? | found | first failure (s) | minimal | reproduction | first schedule | as often | ok |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.target} | ${r.backend} | ${r.seededBug ? 'yes' : 'twin'} | ${r.found ? r.signature : '—'} | ${r.timeToFirstFailureS ?? ''} | ${r.minimal || ''} | ${r.reproduction ?? ''} | ${r.firstReproduction ?? ''} | ${r.asOften === null ? '' : r.asOften ? 'yes' : 'no'} | ${r.ok ? '✓' : '✗'} |`,
    ),
  ].join('\n'),
);
const bad = rows.filter((r) => !r.ok).length;
console.log(`\n${rows.length - bad} passed, ${bad} failed`);
process.exitCode = bad ? 1 : 0;
