// Amplifies the zoo's rare findings: fuzzes every seeded bug (the quicker backend where its class applies, as
// zoo:fuzz does) and runs amplify on every finding whose minimal schedule reproduces under 90%. Writes
// reports/zoo-amplify.json (before and after rates with intervals, the variant, trials spent) and a Markdown table.
// Goal per finding: a variant at ≥ 90% whose lower bound is above the original's upper bound, within 5 minutes.
// Usage: npm run zoo:amplify [-- fuzz-budget-seconds amplify-budget-seconds [--only regex] [--both]]
import { mkdirSync, writeFileSync } from 'node:fs';
import { amplify, fuzz } from '../dist/index.js';
import { zooArgs } from './zoo-args.mjs';

const { numbers, runs } = zooArgs(process.argv.slice(2), [90, 300]);
const [fuzzMs, amplifyMs] = numbers.map((s) => s * 1000);
const reportDir = `reports/zoo-amplify-runs/${new Date().toISOString().replace(/[:.]/g, '')}`;
const pct = (x) => `${Math.round(x * 100)}%`;
const rate = (r) => `${r.failed}/${r.runs} (${pct(r.interval.low)}–${pct(r.interval.high)})`;
const rows = [];
for (const [target, backend] of runs.filter(([t, b]) => t.expect[b].oracle)) {
  const { report, reportPath } = await fuzz(`scenarios/${target.scenario}.yml`, { backend, budgetMs: fuzzMs, seed: 1, confirmRuns: 10, reportDir });
  const o = report.outcome;
  const base = { target: target.scenario, backend, signature: o.kind === 'failed' ? o.signature : null };
  if (o.kind !== 'failed' || o.reproduction.rate >= 0.9) {
    const row = { ...base, before: o.kind === 'failed' ? o.reproduction : null, amplified: false };
    rows.push(row);
    console.error(`· ${target.scenario} (${backend}): ${o.kind === 'failed' ? `reproduces ${rate(o.reproduction)}: not rare` : 'nothing found'}`);
    continue;
  }
  const started = Date.now();
  const { report: a } = await amplify(reportPath, { budgetMs: amplifyMs, confirmRuns: 20, onProgress: (m) => console.error(`  ${target.scenario}: ${m}`) });
  const row = {
    ...base,
    before: a.original.reproduction,
    after: a.best.reproduction,
    original: a.original.steps,
    variant: a.best.steps,
    workloadScale: a.best.workloadScale,
    changes: a.best.changes,
    variantsTried: a.variantsTried,
    trials: a.trialsRun,
    seconds: +((Date.now() - started) / 1000).toFixed(1),
    amplified: true,
    goalMet: a.goalMet,
  };
  rows.push(row);
  console.error(`${row.goalMet ? '✓' : '✗'} ${target.scenario} (${backend}): ${rate(row.before)} → ${rate(row.after)} in ${row.trials} trials, ${row.seconds} s: ${row.changes.join('; ') || 'no better variant'}`);
}
mkdirSync('reports', { recursive: true });
writeFileSync('reports/zoo-amplify.json', `${JSON.stringify({ fuzzBudgetMs: fuzzMs, amplifyBudgetMs: amplifyMs, reportDir, rows }, null, 2)}\n`);
const amplified = rows.filter((r) => r.amplified);
console.log(
  [
    '| target | backend | signature | before | after | variant | trials | s | goal |',
    '|---|---|---|---|---|---|---|---|---|',
    ...amplified.map((r) => `| ${r.target} | ${r.backend} | ${r.signature} | ${rate(r.before)} | ${rate(r.after)} | ${r.changes.join('; ') || '—'} | ${r.trials} | ${r.seconds} | ${r.goalMet ? '✓' : '✗'} |`),
  ].join('\n'),
);
const missed = amplified.filter((r) => !r.goalMet).length;
console.log(`\n${amplified.length} rare finding(s) of ${rows.length} bug(s): ${amplified.length - missed} amplified to the goal, ${missed} not`);
process.exitCode = missed ? 1 : 0;
