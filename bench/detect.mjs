// Part 3 — time to detect and shrink, for every zoo bug over several seeds: seconds to the first confirmed failure,
// seconds until shrinking ended (the minimal schedule), its size in events, the reproduction rate of the minimal
// schedule in confirmation, and whether the failure found is the one the zoo seeded (its intended oracle). Each
// campaign fuzzes from the scenario's fault space alone, with a fresh report directory (no saved findings).
// Every campaign runs at --parallel 1 and at the default parallelism, alternately (bug by bug, seed by seed), to show
// what parallel exploration buys. Optionally fuzzes every twin once (at the default), to check that none is flagged.
// Usage: npm run bench -- --only detect [--seeds 3] [--budget 60] [--runs 30] [--confirm 5] [--twins 8] [--filter name]
//        [--backend zoo|docker|process] [--parallels 1,default]
import { readFileSync } from 'node:fs';
// BENCH_DIST=<an older build's dist/index.js> measures that build instead (before/after comparisons).
const { fuzz } = await import(process.env.BENCH_DIST ?? '../dist/index.js');
const { defaultParallelism } = await import(new URL('fuzz/parallelism.js', new URL(process.env.BENCH_DIST ?? '../dist/index.js', import.meta.url)).href);
import { median, round, table } from './lib.mjs';

/**
 * The backend zoo-fuzz uses: the quicker process backend where the class applies, docker where only a container
 * shows it. --backend docker (or process) prefers that one wherever the zoo expects the bug to show on it.
 */
let preferred = 'zoo';
export const backendFor = (target) =>
  preferred !== 'zoo' && target.expect[preferred] ? preferred : target.expect.process ? 'process' : 'docker';

async function campaign(target, { seed, budgetMs, runs, confirmRuns, reportDir, parallel }) {
  const backend = backendFor(target);
  const started = Date.now();
  let shrinkEndedAt;
  const { report } = await fuzz(`scenarios/${target.scenario}.yml`, {
    backend,
    runs,
    ...(parallel === 'default' ? {} : { parallel }),
    budgetMs,
    seed,
    confirmRuns,
    reportDir,
    onProgress: (progress) => {
      // A FuzzProgress; builds before it (BENCH_DIST) passed the line alone.
      const phase = typeof progress === 'string' ? progress.split(' ')[0] : progress.phase;
      if (phase === 'confirming' && shrinkEndedAt === undefined) shrinkEndedAt = Date.now();
    },
  });
  const o = report.outcome;
  const failed = o.kind === 'failed';
  // The campaign's clock starts after the build step and image check (fuzz's `started`): measure from there too.
  const offset = Date.now() - started - report.durationMs;
  return {
    target: target.scenario,
    backend,
    parallel,
    seed,
    found: failed,
    signature: failed ? o.signature : null,
    // A trial that needed SIGKILL fails several oracles at once; the seeded one must be among them.
    intended: failed ? o.failures.some((f) => `${f.oracle}/${f.kind ?? 'fail'}` === target.expect[backend].oracle) : false,
    firstFailureS: report.timeToFirstFailureMs === null ? null : report.timeToFirstFailureMs / 1000,
    minimalS: failed && shrinkEndedAt ? (shrinkEndedAt - started - offset) / 1000 : null,
    totalS: report.durationMs / 1000,
    minimalEvents: failed ? o.minimal.length : null,
    minimal: report.minimalSteps.join('; '),
    reproduced: failed ? o.reproduction.failed : null,
    confirmRuns: failed ? o.reproduction.runs : null,
    schedules: report.schedulesTried,
    trials: report.trialsRun,
    shrinkBudgetExhausted: report.shrinkBudgetExhausted,
  };
}

export async function detect({ quick = false, seeds, budget, runs, confirm, twins, filter, backend = 'zoo', parallels = '1,default' } = {}) {
  preferred = backend;
  const widths = String(parallels).split(',').map((p) => (p === 'default' ? p : Number(p)));
  const settings = {
    parallels: widths,
    defaultParallelism: defaultParallelism(),
    seeds: Array.from({ length: seeds ?? (quick ? 1 : 3) }, (_, i) => i + 1),
    budgetMs: (budget ?? (quick ? 30 : 60)) * 1000,
    runs: runs ?? 30,
    confirmRuns: confirm ?? 5,
    twinRuns: twins ?? (quick ? 0 : 8),
  };
  const { targets } = JSON.parse(readFileSync('targets/zoo.json', 'utf8'));
  // The rare-window bugs (a `window`) are the search part's: a handful of schedules rarely meets them.
  const chosen = targets.filter((t) => !t.window && !targets.some((b) => b.window && `${b.scenario}-fixed` === t.scenario) && (!filter || t.scenario.includes(filter)));
  const bugs = chosen.filter((t) => t.expect[backendFor(t)].oracle);
  const reportDir = `reports/bench-detect-runs/${new Date().toISOString().replace(/[:.]/g, '')}`;
  const rows = [];
  // Seed-major order: every bug once before any bug twice, so drift in the machine's load spreads over all bugs;
  // the parallel settings alternate which goes first from one campaign to the next.
  let turn = 0;
  for (const seed of settings.seeds) {
    for (const target of bugs) {
      for (const parallel of turn++ % 2 ? [...widths].reverse() : widths) {
        const row = await campaign(target, { seed, parallel, budgetMs: settings.budgetMs, runs: settings.runs, confirmRuns: settings.confirmRuns, reportDir: `${reportDir}/p${parallel}/seed-${seed}` });
        rows.push(row);
        console.error(`detect ${row.target} seed ${seed} (${row.backend}, parallel ${parallel}): ${row.found ? `${row.signature} at ${round(row.firstFailureS, 1)} s, minimal ${row.minimalEvents} event(s) at ${round(row.minimalS, 1)} s, ${row.reproduced}/${row.confirmRuns}` : 'NOT FOUND'} (${round(row.totalS, 1)} s)`);
      }
    }
  }
  const twinRows = [];
  if (settings.twinRuns > 0) {
    for (const target of chosen.filter((t) => !t.expect[backendFor(t)].oracle)) {
      const row = await campaign(target, { seed: 1, parallel: 'default', budgetMs: settings.budgetMs, runs: settings.twinRuns, confirmRuns: settings.confirmRuns, reportDir: `${reportDir}/twins` });
      twinRows.push(row);
      console.error(`twin ${row.target} (${row.backend}): ${row.found ? `FALSE POSITIVE ${row.signature}` : 'clean'} (${row.schedules} schedules, ${round(row.totalS, 1)} s)`);
    }
  }
  const perBugAt = (parallel) => bugs.map((t) => {
    const rs = rows.filter((r) => r.target === t.scenario && r.parallel === parallel);
    const found = rs.filter((r) => r.found);
    return {
      target: t.scenario,
      class: t.class,
      backend: backendFor(t),
      found: `${found.length}/${rs.length}`,
      intended: `${rs.filter((r) => r.intended).length}/${rs.length}`,
      signature: [...new Set(found.map((r) => r.signature))].join(', ') || null,
      firstFailureS: round(median(found.map((r) => r.firstFailureS)), 1),
      minimalS: round(median(found.map((r) => r.minimalS)), 1),
      totalS: round(median(rs.map((r) => r.totalS)), 1),
      minimalEvents: round(median(found.map((r) => r.minimalEvents))),
      reproduction: found.length ? `${found.reduce((a, r) => a + r.reproduced, 0)}/${found.reduce((a, r) => a + r.confirmRuns, 0)}` : null,
      minimalExample: found[0]?.minimal ?? null,
    };
  });
  const perSetting = Object.fromEntries(widths.map((p) => [p, perBugAt(p)]));
  // The main table shows the default setting (the one a user gets), or the first asked for.
  const shown = widths.includes('default') ? 'default' : widths[0];
  const perBug = perSetting[shown];
  const label = (p) => (p === 'default' ? `default (${settings.defaultParallelism})` : String(p));
  // Bug by bug, the median over seeds at each setting; then the median over bugs found at every setting.
  const everywhere = bugs.filter((t) => widths.every((p) => perSetting[p].find((b) => b.target === t.scenario).firstFailureS !== null));
  const acrossBugs = (p, key) => round(median(everywhere.map((t) => perSetting[p].find((b) => b.target === t.scenario)[key])), 1);
  const speedup = Object.fromEntries(
    widths.map((p) => [p, { firstFailureS: acrossBugs(p, 'firstFailureS'), minimalS: acrossBugs(p, 'minimalS'), campaignS: acrossBugs(p, 'totalS') }]),
  );
  const falsePositives = twinRows.filter((r) => r.found).map((r) => `${r.target}: ${r.signature}`);
  const markdown = [
    `### Time to detect and shrink (fuzz from the fault space; ${settings.seeds.length} seed(s); budget ${settings.budgetMs / 1000} s, ${settings.runs} schedules, confirm ${settings.confirmRuns} — reduced from the CLI's defaults of 5 min (1 min at a terminal), no schedule limit and 20; medians over the seeds that found it)`,
    '',
    table(
      ['bug', 'backend', 'found', 'zoo oracle', 'first failure (s)', 'minimal schedule (s)', 'campaign (s)', 'minimal (events)', 'reproduction', 'example minimal schedule'],
      perBug.map((b) => [b.target, b.backend, b.found, b.intended, b.firstFailureS, b.minimalS, b.totalS, b.minimalEvents, b.reproduction, b.minimalExample ? b.minimalExample.replaceAll('|', '\\|') : null]),
    ),
    '',
    ...(widths.length > 1
      ? [
          `#### Parallel exploration: ${widths.map(label).join(' vs ')} (same seeds, campaigns alternated; medians over the ${everywhere.length} bugs found at every setting)`,
          '',
          table(
            ['parallel', 'first failure (s)', 'minimal schedule (s)', 'campaign (s)', 'first failure vs 1'],
            widths.map((p) => [label(p), speedup[p].firstFailureS, speedup[p].minimalS, speedup[p].campaignS, widths.includes(1) && speedup[1].firstFailureS ? round(speedup[p].firstFailureS / speedup[1].firstFailureS, 2) : null]),
          ),
          '',
          table(
            ['bug', ...widths.flatMap((p) => [`first failure (s) at ${label(p)}`, `minimal (s) at ${label(p)}`])],
            bugs.map((t) => [t.scenario, ...widths.flatMap((p) => { const b = perSetting[p].find((x) => x.target === t.scenario); return [b.firstFailureS, b.minimalS]; })]),
          ),
          '',
        ]
      : []),
    `Main table: parallel ${label(shown)}. "found": seeds whose campaign found a confirmed failure; "zoo oracle": seeds whose minimal schedule fails the oracle \`npm run zoo\` expects for the bug (a campaign follows the first failure it meets, which may be the same bug seen by another oracle, e.g. acknowledged writes lost as well as requests). Times are from the start of the campaign (after the build step); "first failure" includes its 3 estimate runs; "campaign" includes confirmation.`,
    '',
    settings.twinRuns > 0
      ? `Twins (${settings.twinRuns} schedules each, seed 1): ${falsePositives.length ? `false positives: ${falsePositives.join('; ')}` : `no false positives in ${twinRows.length}`}.`
      : 'Twins: not run (quick mode or --twins 0).',
  ].join('\n');
  return { json: { settings: { ...settings, backend }, build: process.env.BENCH_DIST ?? 'dist', reportDir, perBug, perSetting, speedup, rows, twins: twinRows, falsePositives }, markdown };
}
