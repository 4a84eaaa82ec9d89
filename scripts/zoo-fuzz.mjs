// The zoo campaign: fuzzes every zoo scenario from its fault space alone (no hand-written schedule) and checks that
// every seeded bug is found and every twin passes, each within the same budget. Writes reports/zoo-fuzz.json and a
// Markdown table. Usage: npm run zoo:fuzz [-- budget-seconds runs [--both] [--only regex]]
//   --both        every backend the row lists (default: the quicker one where the class applies)
//   --only regex  only the scenarios whose name matches
import { mkdirSync, writeFileSync } from 'node:fs';
import { asOften, fuzz, reliabilityBar } from '../dist/index.js';
import { zooArgs } from './zoo-args.mjs';

const { numbers, runs: zooRuns } = zooArgs(process.argv.slice(2), [90, 40]);
const budgetMs = numbers[0] * 1000;
const runs = numbers[1];
// A fresh report directory: no failure database from an earlier campaign, so every find is made from scratch.
const reportDir = `reports/zoo-fuzz-runs/${new Date().toISOString().replace(/[:.]/g, '')}`;
const rows = [];
for (const [target, backend] of zooRuns) {
  const buggy = Boolean(target.expect[backend].oracle);
  const started = Date.now();
  const { report } = await fuzz(`scenarios/${target.scenario}.yml`, { backend, runs, budgetMs, seed: 1, confirmRuns: 10, reportDir });
  const o = report.outcome;
  const row = {
    target: target.scenario,
    backend,
    seededBug: buggy,
    found: o.kind === 'failed',
    signature: o.kind === 'failed' ? o.signature : null,
    timeToFirstFailureS: report.timeToFirstFailureMs === null ? null : +(report.timeToFirstFailureMs / 1000).toFixed(1),
    minimalEvents: o.kind === 'failed' ? o.minimal.length : null,
    minimal: report.minimalSteps.join('; '),
    reproduction: o.kind === 'failed' ? `${o.reproduction.failed}/${o.reproduction.runs}` : null,
    // The first failing schedule's estimate: the minimal schedule must reproduce about as often (src/fuzz/reliability.ts).
    firstReproduction: o.kind === 'failed' && o.originalReproduction ? `${o.originalReproduction.failed}/${o.originalReproduction.runs}` : null,
    asOften: o.kind === 'failed' && o.originalReproduction ? asOften(o.reproduction, reliabilityBar(o.originalReproduction)) : null,
    schedules: report.schedulesTried,
    trials: report.trialsRun,
    unconfirmed: report.findings.filter((f) => !f.confirmed).map((f) => f.signature),
    seconds: +((Date.now() - started) / 1000).toFixed(1),
  };
  row.ok = buggy ? row.found && row.asOften !== false : !row.found;
  rows.push(row);
  console.error(`${row.ok ? '✓' : '✗'} ${row.target} (${backend}): ${row.found ? `found ${row.signature} in ${row.timeToFirstFailureS} s, minimal ${row.minimalEvents} event(s), reproduces ${row.reproduction} (the first failing schedule ${row.firstReproduction})${row.asOften === false ? ', less often' : ''}` : 'nothing found'}`);
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
