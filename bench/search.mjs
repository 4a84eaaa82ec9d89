// Part 7 — search power on the rare-window zoo bugs (targets/zoo.json rows with a `window`): for each bug over several
// seeds, the time to its first confirmed failure under each search, campaigns alternated (seed 1 uniform, seed 1
// default, seed 2 uniform, …), and the share of seeds that found it with its intended oracle within the default
// budget; then each twin fuzzed once per search, which must find nothing.
// A search is a column of SEARCHES: a name and the `sigstorm fuzz` flags that choose it (a guided search is one more
// line). Every campaign is the command line a user types, `sigstorm fuzz <scenario> --backend process --seed N`, with
// its own report directory (so no campaign starts from another's saved findings), run from this build's bin/ or, for
// a column with `--bin-<name> <path>`, another build's (e.g. today's uniform search kept in a worktree).
// Usage: npm run bench -- --only search [--seeds 5] [--searches uniform,default] [--filter name] [--backend process]
//        [--twins 1] [--bin-uniform <old>/bin/sigstorm.js] [--first-only 1] [--campaign-budget 60s]   (--quick: 2 seeds, no twins)
// --searches before,default --bin-before <old>/bin/sigstorm.js compares this build's default search with another's.
// --campaign-budget gives every campaign that --budget (without it, each search's own: the default budget);
// --first-seed 4 --seeds 3 runs seeds 4-6.
// --searches guided runs the default search with --guided (a corpus of schedules that showed something new).
// --first-only 1 interrupts each bug's campaign at its first confirmed failure (twins always run to their end).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { median, round, table } from './lib.mjs';

/** The searches compared, in the order they run for each seed. */
export const SEARCHES = [
  { name: 'uniform', args: ['--runs', '50'], about: 'the uniform search as it was on 2026-12-06: 50 schedules drawn by fast-check, then stop' },
  { name: 'default', args: [], about: '`sigstorm fuzz` with no flags but the backend and seed' },
  { name: 'guided', args: ['--guided'], about: 'the default search with a corpus of schedules that showed something new, one draw in three a mutation of one (src/fuzz/corpus.ts)' },
  {
    name: 'before',
    args: [],
    about: "the same command line run by the build given with --bin-before (another checkout's bin/sigstorm.js, e.g. the commit before a search change; this build's without it)",
  },
];

/**
 * Runs one command line to its end: its exit status and the tail of what it printed on stderr. `stopWhen` is asked
 * every half second; once it holds the command is interrupted (SIGINT, so it cleans up and writes its report).
 */
function cli(bin, args, stopWhen) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let tail = '';
    child.stderr.on('data', (d) => (tail = (tail + d).slice(-2000)));
    const poll = stopWhen && setInterval(() => stopWhen() && child.kill('SIGINT'), 500);
    child.on('close', (status) => {
      clearInterval(poll);
      resolve({ status, tail });
    });
  });
}

/** The report.json a campaign wrote into its own directory (perhaps a checkpoint of one still running). */
function reportIn(dir, scenario) {
  const runs = existsSync(`${dir}/${scenario}`) ? readdirSync(`${dir}/${scenario}`).sort() : [];
  const path = runs.map((r) => `${dir}/${scenario}/${r}/report.json`).filter(existsSync).at(-1);
  try {
    return path ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
  } catch {
    return undefined; // being written
  }
}

/**
 * One campaign of one search. With `firstOnly` it is interrupted at its first confirmed failure (read from the
 * checkpoint it writes then), which is all this part measures: shrinking and confirmation are left out.
 */
async function campaign(target, search, { seed, backend, reportDir, bins, firstOnly, budget }) {
  const started = Date.now();
  const args = ['fuzz', `scenarios/${target.scenario}.yml`, '--backend', backend, '--seed', String(seed), '--report-dir', reportDir, ...search.args, ...(budget ? ['--budget', String(budget)] : [])];
  let first;
  const firstFailure = () => {
    const r = !first && reportIn(reportDir, target.scenario);
    if (r && r.timeToFirstFailureMs !== null && r.outcome.kind === 'failed') first = r;
    return first !== undefined;
  };
  const { status, tail } = await cli(bins[search.name] ?? 'bin/sigstorm.js', args, firstOnly ? firstFailure : undefined);
  const report = first ?? reportIn(reportDir, target.scenario);
  if (!report) throw new Error(`search: ${target.scenario} (${search.name}, seed ${seed}) wrote no report, exit ${status}: ${tail}`);
  const o = report.outcome;
  const failed = o.kind === 'failed';
  const expected = target.expect[backend].oracle;
  const firstFailureS = report.timeToFirstFailureMs === null ? null : report.timeToFirstFailureMs / 1000;
  return {
    target: target.scenario,
    search: search.name,
    backend,
    seed,
    status,
    found: failed,
    // found with the oracle the zoo names, before the campaign's own budget ran out (the default budget, unless a
    // search sets --budget)
    foundInBudget: failed && (!expected || o.failures.some((f) => `${f.oracle}/${f.kind}` === expected)) && report.timeToFirstFailureMs <= report.budgetMs,
    signature: failed ? o.signature : null,
    firstFailureS,
    campaignS: report.durationMs / 1000,
    wallS: (Date.now() - started) / 1000,
    budgetS: report.budgetMs / 1000,
    schedules: report.schedulesTried,
    trials: report.trialsRun,
    unconfirmed: report.findings.filter((f) => !f.confirmed).length,
    minimal: report.minimalSteps.join('; '),
    reproduced: failed && o.reproduction.runs ? `${o.reproduction.failed}/${o.reproduction.runs}` : null,
    stoppedAtFirst: first !== undefined,
    original: failed ? o.original : null,
    // a guided campaign: schedules drawn from its corpus, its entries, and whether the first failure was one of them
    guided: report.guided ? { fromCorpus: report.guided.fromCorpus, corpus: report.guided.corpus, firstFailureFromCorpus: report.guided.firstFailureFromCorpus ?? null } : null,
  };
}

const describeRow = (r) =>
  `${r.found ? `${r.signature} at ${round(r.firstFailureS, 1)} s${r.stoppedAtFirst ? ' (stopped there)' : `, minimal ${r.minimal} ${r.reproduced}`}` : 'not found'} (${r.schedules} schedules, ${r.trials} trials, ${round(r.campaignS, 1)} s)`;

export async function search({ quick = false, seeds = quick ? 2 : 5, searches, filter, backend = 'process', twins = quick ? 0 : 1, 'first-only': firstOnly = 0, 'campaign-budget': budget, 'first-seed': firstSeed = 1, ...flags } = {}) {
  const bins = Object.fromEntries(Object.entries(flags).filter(([k]) => k.startsWith('bin-')).map(([k, v]) => [k.slice(4), v]));
  // `before` is a column only with the other build it runs (or when named)
  const chosen = searches
    ? String(searches).split(',').map((n) => SEARCHES.find((s) => s.name === n) ?? fail(`--searches: unknown search ${n} (expected ${SEARCHES.map((s) => s.name).join(', ')})`))
    : SEARCHES.filter((s) => s.name !== 'before' || bins.before);
  const { targets } = JSON.parse(readFileSync('targets/zoo.json', 'utf8'));
  const rare = targets.filter((t) => t.window && (!filter || t.scenario.includes(filter)));
  const bugs = rare.filter((t) => t.expect[backend]?.oracle);
  const twinTargets = targets.filter((t) => !t.expect[backend]?.oracle && t.expect[backend] && rare.some((b) => `${b.scenario}-fixed` === t.scenario));
  const runDir = `reports/bench-search-runs/${new Date().toISOString().replace(/[:.]/g, '')}`;
  const rows = [];
  const seedList = Array.from({ length: seeds }, (_, i) => i + firstSeed);
  for (const target of bugs) {
    for (const seed of seedList) {
      for (const s of chosen) {
        const row = await campaign(target, s, { seed, backend, bins, firstOnly, budget, reportDir: `${runDir}/${target.scenario}/${s.name}/seed-${seed}` });
        rows.push(row);
        console.error(`search ${row.target} seed ${seed} ${s.name}: ${describeRow(row)}`);
      }
    }
  }
  const twinRows = [];
  for (const target of twinTargets) {
    for (const seed of seedList.slice(0, twins)) {
      for (const s of chosen) {
        const row = await campaign(target, s, { seed, backend, bins, budget, reportDir: `${runDir}/${target.scenario}/${s.name}/seed-${seed}` });
        twinRows.push(row);
        console.error(`twin ${row.target} seed ${seed} ${s.name}: ${row.found ? `FALSE POSITIVE ${row.signature}` : 'clean'} (${row.schedules} schedules, ${round(row.campaignS, 1)} s)`);
      }
    }
  }
  const perBug = bugs.map((t) => ({
    target: t.scenario,
    window: t.window,
    searches: Object.fromEntries(
      chosen.map((s) => {
        const rs = rows.filter((r) => r.target === t.scenario && r.search === s.name);
        const found = rs.filter((r) => r.foundInBudget);
        return [s.name, { found: `${found.length}/${rs.length}`, share: found.length / rs.length, medianFirstFailureS: round(median(found.map((r) => r.firstFailureS)), 1), medianCampaignS: round(median(rs.map((r) => r.campaignS)), 1) }];
      }),
    ),
  }));
  const falsePositives = twinRows.filter((r) => r.found).map((r) => `${r.target} (${r.search}): ${r.signature}`);
  return { json: { settings: { seeds, backend, searches: chosen, bins, twins, firstOnly: Boolean(firstOnly), ...(budget ? { budget } : {}) }, runDir, perBug, rows, twins: twinRows, falsePositives }, markdown: markdown(chosen, bugs, perBug, rows, twinRows, seeds, backend, firstOnly) };
}

function fail(message) {
  throw new Error(message);
}

function markdown(chosen, bugs, perBug, rows, twinRows, seeds, backend, firstOnly) {
  const cell = (r) => (r.foundInBudget ? `${round(r.firstFailureS, 1)}` : r.found ? `${round(r.firstFailureS, 1)} (other oracle)` : `— (${r.schedules} sch., ${round(r.campaignS)} s)`);
  const falsePositives = twinRows.filter((r) => r.found);
  return [
    `### Search power on rare windows (${seeds} seeds, ${backend} backend; campaigns alternated by seed: ${chosen.map((s) => s.name).join(', ')}${firstOnly ? '; each stopped at its first confirmed failure' : ''})`,
    '',
    table(
      ['bug', 'window', ...chosen.flatMap((s) => [`${s.name}: found in budget`, `${s.name}: median first failure (s)`])],
      perBug.map((b) => [b.target, `${b.window.share} ${b.window.kind} (${b.window.runtime})`, ...chosen.flatMap((s) => [b.searches[s.name].found, b.searches[s.name].medianFirstFailureS])]),
    ),
    '',
    'Seed by seed: seconds to the first confirmed failure, or — with the schedules tried and the campaign\'s length.',
    '',
    table(
      ['bug', 'seed', ...chosen.map((s) => s.name)],
      bugs.flatMap((t) => [...new Set(rows.filter((r) => r.target === t.scenario).map((r) => r.seed))].map((seed) => [t.scenario, seed, ...chosen.map((s) => cell(rows.find((r) => r.target === t.scenario && r.seed === seed && r.search === s.name)))])),
    ),
    '',
    chosen.map((s) => `${s.name}: ${s.about} (\`${['sigstorm fuzz', ...s.args].join(' ')}\`).`).join(' '),
    '',
    twinRows.length
      ? `Twins (${[...new Set(twinRows.map((r) => r.target))].join(', ')}; each search, ${[...new Set(twinRows.map((r) => r.seed))].length} seed(s)): ${falsePositives.length ? `false positives: ${falsePositives.map((r) => `${r.target} (${r.search}): ${r.signature}`).join('; ')}` : `no finding in ${twinRows.length} campaigns (${twinRows.reduce((a, r) => a + r.schedules, 0)} schedules)`}.`
      : 'Twins: not run.',
  ].join('\n');
}
