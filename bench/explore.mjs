// How far a default campaign explores a correct target within its budget (issue 26), before and after: schedules
// tried, trials, the cells of the fault space covered (src/fuzz/fault-cells.ts), and how long exploring took. Each
// campaign runs in a fresh Node process with a fresh report directory (no saved findings), the builds alternating
// seed by seed. An older build's report has no `explored`: a campaign that passed tried the first schedules its seed
// generates, in order, so its cells are counted over those, with this build's measure.
// Usage: node bench/explore.mjs [--before OLD/dist/index.js] [--scenario scenarios/return-on-close-fixed.yml]
//        [--budget 60] [--seeds 1,2] [--backend process]      (build first: npm run build)
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';

const { values: opts } = parseArgs({
  options: {
    before: { type: 'string' },
    scenario: { type: 'string', default: 'scenarios/return-on-close-fixed.yml' },
    budget: { type: 'string', default: '60' },
    seeds: { type: 'string', default: '1,2' },
    backend: { type: 'string', default: 'process' },
    one: { type: 'string' }, // internal: run one campaign with this build's index.js and print its facts
    seed: { type: 'string' },
  },
});

if (opts.one) {
  const { fuzz } = await import(pathToFileURL(resolve(opts.one)).href);
  const reportDir = mkdtempSync(join(tmpdir(), 'sigstorm-bench-explore-'));
  const { report } = await fuzz(opts.scenario, { backend: opts.backend, budgetMs: Number(opts.budget) * 1000, seed: Number(opts.seed), reportDir });
  const { verdict, schedulesTried, trialsRun, durationMs, explored, runs } = report;
  process.stdout.write(`${JSON.stringify({ verdict, schedulesTried, trialsRun, durationMs, runs, explored })}\n`);
  process.exit(0);
}

const { loadScenario } = await import('../dist/index.js');
const { scheduleArbitrary, sortSchedule } = await import('../dist/fuzz/arbitrary.js');
const { FaultCells } = await import('../dist/fuzz/fault-cells.js');
const scenario = await loadScenario(opts.scenario);
const builds = [...(opts.before ? [{ name: 'before', index: opts.before }] : []), { name: 'after', index: 'dist/index.js' }];
const rows = [];
for (const [i, seed] of opts.seeds.split(',').map(Number).entries()) {
  for (const build of i % 2 ? [...builds].reverse() : builds) {
    const out = execFileSync(process.execPath, ['bench/explore.mjs', '--one', build.index, '--seed', String(seed), '--scenario', opts.scenario, '--budget', opts.budget, '--backend', opts.backend], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const r = JSON.parse(out.trim().split('\n').at(-1));
    let explored = r.explored;
    if (!explored && r.verdict === 'pass') {
      // The older build tried its seed's first schedules in order: count their cells alike.
      const cells = new FaultCells(scenario);
      for (const s of fc.sample(scheduleArbitrary(scenario, () => undefined), { seed, numRuns: r.schedulesTried })) cells.note(sortSchedule(s));
      explored = { ...cells.summary(), endedBy: 'runs (50, the old default)', durationMs: null };
    }
    const row = { build: build.name, seed, ...r, explored };
    rows.push(row);
    const e = row.explored;
    console.log(
      `${build.name} seed ${seed}: ${r.verdict}, ${r.schedulesTried} schedules, ${r.trialsRun} trials, ${(r.durationMs / 1000).toFixed(1)} s; ` +
        `cells ${e.cells}/${e.totalCells} (${Math.round((100 * e.cells) / e.totalCells)}%), latest +${e.latestMs} ms of ${e.horizonMs} ms; ended by ${e.endedBy}` +
        `${e.durationMs !== null ? ` after ${(e.durationMs / 1000).toFixed(1)} s` : ''}`,
    );
  }
}
console.log(JSON.stringify({ measuredAt: new Date().toISOString(), scenario: opts.scenario, budgetS: Number(opts.budget), backend: opts.backend, rows }));
