// Part 5 — budgets kept: every zoo bug fuzzed with a budget small enough to bite (default 20 s) and the CLI's
// defaults otherwise (no --runs: exploring until the budget; confirm 20), so shrinking and confirmation have to be cut. Reports the
// campaign's duration minus the budget (the overrun) next to the bound it must keep: one trial's worst case
// (ready timeout + horizon + longest event + settle + exit wait + overhead, src/fuzz/budget.ts).
// Usage: npm run bench -- --only budget [--budget 20] [--filter name] [--backend zoo|docker|process]
import { readFileSync } from 'node:fs';
// BENCH_DIST=<an older build's dist/index.js> measures that build (before/after); the bound is always this build's.
const { fuzz } = await import(process.env.BENCH_DIST ?? '../dist/index.js');
const { loadScenario, worstCaseTrialMs } = await import('../dist/index.js');
import { backendFor } from './detect.mjs';
import { round, table } from './lib.mjs';

export async function budget({ budget: budgetS = 20, filter, seed = 1 } = {}) {
  const budgetMs = budgetS * 1000;
  const { targets } = JSON.parse(readFileSync('targets/zoo.json', 'utf8'));
  const bugs = targets.filter((t) => (!filter || t.scenario.includes(filter)) && t.expect[backendFor(t)].oracle);
  const reportDir = `reports/bench-budget-runs/${new Date().toISOString().replace(/[:.]/g, '')}`;
  const rows = [];
  for (const target of bugs) {
    const path = `scenarios/${target.scenario}.yml`;
    const boundMs = worstCaseTrialMs(await loadScenario(path));
    const backend = backendFor(target);
    const { report } = await fuzz(path, { backend, budgetMs, seed, reportDir });
    const overrunMs = report.durationMs - budgetMs;
    const row = {
      target: target.scenario,
      backend,
      verdict: report.verdict,
      signature: report.outcome.kind === 'failed' ? report.outcome.signature : null,
      campaignS: round(report.durationMs / 1000, 1),
      overrunS: round(overrunMs / 1000, 1),
      boundS: round(boundMs / 1000, 1),
      kept: overrunMs <= boundMs,
      cut: report.cut ? `${report.cut.phase}${report.cut.confirmRuns ? ` (confirm ${report.cut.confirmRuns.done}/${report.cut.confirmRuns.planned})` : ''}` : null,
      reproduction: report.outcome.kind === 'failed' ? `${report.outcome.reproduction.failed}/${report.outcome.reproduction.runs}` : null,
    };
    rows.push(row);
    console.error(`budget ${row.target} (${backend}): ${row.campaignS} s, overrun ${row.overrunS} s (bound ${row.boundS} s) ${row.kept ? 'kept' : 'OVERRUN'}; cut ${row.cut ?? '—'}`);
  }
  const markdown = [
    `### Budgets kept (\`--budget ${budgetS}s\`, exploring until the budget, confirm 20, seed ${seed})`,
    '',
    table(
      ['bug', 'backend', 'verdict', 'campaign (s)', 'overrun (s)', 'bound: one trial worst case (s)', 'kept', 'cut', 'reproduction'],
      rows.map((r) => [r.target, r.backend, r.verdict, r.campaignS, r.overrunS, r.boundS, r.kept ? '✓' : '✗', r.cut, r.reproduction]),
    ),
    '',
    `Overrun = campaign duration − budget (negative: it ended early). The contract: overrun ≤ the bound. Kept in ${rows.filter((r) => r.kept).length} of ${rows.length}; worst overrun ${round(Math.max(...rows.map((r) => r.overrunS)), 1)} s.`,
  ].join('\n');
  return { json: { settings: { budgetMs, seed }, build: process.env.BENCH_DIST ?? 'dist', reportDir, rows }, markdown };
}
