// Part 7 — search power on the rare-window zoo bugs (targets/zoo.json rows with a `window`): for each bug over several
// seeds, the time to its first confirmed failure under each search, campaigns alternated (seed 1 uniform, seed 1
// default, seed 2 uniform, …), and the share of seeds that found it with its intended oracle within the default
// budget; then each twin fuzzed once per search, which must find nothing.
// A search is a column of SEARCHES: a name and the `sigstorm fuzz` flags that choose it (a guided search is one more
// line). Every campaign is the command line a user types, `sigstorm fuzz <scenario> --backend process --seed N`, with
// its own report directory (so no campaign starts from another's saved findings), run from this build's bin/ or, for
// a column with `--bin-<name> <path>`, another build's (e.g. today's uniform search kept in a worktree).
// Usage: npm run bench -- --only search [--seeds 5] [--searches uniform,default] [--filter name,name] [--backend process]
//        [--twins 1] [--bin-uniform <old>/bin/sigstorm.js] [--first-only 1] [--campaign-budget 60s]   (--quick: 2 seeds, no twins)
// --searches before,default --bin-before <old>/bin/sigstorm.js compares this build's default search with another's.
// --campaign-budget gives every campaign that --budget (without it, each search's own: the default budget);
// --first-seed 4 --seeds 3 runs seeds 4-6.
// --searches guided runs the default search with --guided (a corpus of schedules that showed something new).
// --from-rows <run dir>,… builds one table from the rows earlier runs kept (rows.jsonl), running no campaign.
// --first-only 1 interrupts each bug's campaign at its first confirmed failure (twins always run to their end).
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
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

/**
 * The newest `file` a campaign wrote into its own directory: its report.json (perhaps a checkpoint of one still
 * running), or the amplify.json beside it (fuzz amplifies a minimal schedule that reproduced under 80%).
 */
function reportIn(dir, scenario, file = 'report.json') {
  const runs = existsSync(`${dir}/${scenario}`) ? readdirSync(`${dir}/${scenario}`).sort() : [];
  const path = runs.map((r) => `${dir}/${scenario}/${r}/${file}`).filter(existsSync).at(-1);
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
  const loadAtStart = +loadavg()[0].toFixed(1);
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
    // a minimal schedule with a signal timed from spawn failed in the start-up (on a loaded machine a start-up of 1 s
    // or more puts it in the fault space), not in the window this bug is about
    inStartup: failed && report.minimalSteps.some((step) => step.startsWith('spawn+')),
    firstFailureS,
    campaignS: report.durationMs / 1000,
    loadAtStart,
    wallS: (Date.now() - started) / 1000,
    budgetS: report.budgetMs / 1000,
    schedules: report.schedulesTried,
    trials: report.trialsRun,
    unconfirmed: report.findings.filter((f) => !f.confirmed).length,
    minimal: report.minimalSteps.join('; '),
    reproduced: failed && o.reproduction.runs ? `${o.reproduction.failed}/${o.reproduction.runs}` : null,
    // the minimal schedule's rate and the first failing schedule's, each with its 95% interval (report.json's outcome)
    reproduction: failed ? rate(o.reproduction) : null,
    originalReproduction: failed && o.originalReproduction ? rate(o.originalReproduction) : null,
    // what the campaign's amplification reached in what was left of its budget: the best variant's rate, and its steps
    amplified: amplifiedOf(reportIn(reportDir, target.scenario, 'amplify.json')),
    horizon: report.horizon ? { finalMs: report.horizon.finalMs, grewFor: report.horizon.grewFor?.what ?? null } : null,
    stoppedAtFirst: first !== undefined,
    original: failed ? o.original : null,
    // a guided campaign: schedules drawn from its corpus, its entries, and whether the first failure was one of them
    guided: report.guided ? { fromCorpus: report.guided.fromCorpus, corpus: report.guided.corpus, firstFailureFromCorpus: report.guided.firstFailureFromCorpus ?? null } : null,
  };
}

/** An amplify report in a row: the best variant's rate, whether it met the goal, and its steps. */
const amplifiedOf = (a) => (a ? { ...rate(a.best.reproduction), goalMet: a.goalMet, steps: a.best.steps.join('; '), changes: a.best.changes } : null);

/** A reproduction as `k/n (low–high%)`, with the numbers beside it. */
function rate(r) {
  if (!r?.runs) return null;
  const pct = (x) => Math.round(x * 100);
  return { failed: r.failed, runs: r.runs, rate: r.rate, low: r.interval.low, high: r.interval.high, text: `${r.failed}/${r.runs} (${pct(r.interval.low)}–${pct(r.interval.high)}%)` };
}

const describeRow = (r) =>
  `${r.found ? `${r.signature} at ${round(r.firstFailureS, 1)} s${r.stoppedAtFirst ? ' (stopped there)' : `, minimal ${r.minimal} ${r.reproduction?.text ?? '—'}, first failing ${r.originalReproduction?.text ?? '—'}`}` : 'not found'} (${r.schedules} schedules, ${r.trials} trials, ${round(r.campaignS, 1)} s)`;

export async function search({ quick = false, seeds = quick ? 2 : 5, searches, filter, backend = 'process', twins = quick ? 0 : 1, 'first-only': firstOnly = 0, 'campaign-budget': budget, 'first-seed': firstSeed = 1, ...flags } = {}) {
  const bins = Object.fromEntries(Object.entries(flags).filter(([k]) => k.startsWith('bin-')).map(([k, v]) => [k.slice(4), v]));
  // `before` is a column only with the other build it runs (or when named)
  const chosen = searches
    ? String(searches).split(',').map((n) => SEARCHES.find((s) => s.name === n) ?? fail(`--searches: unknown search ${n} (expected ${SEARCHES.map((s) => s.name).join(', ')})`))
    : SEARCHES.filter((s) => s.name !== 'before' || bins.before);
  const { targets } = JSON.parse(readFileSync('targets/zoo.json', 'utf8'));
  const filters = filter ? String(filter).split(',') : [];
  const rare = targets.filter((t) => t.window && (!filters.length || filters.some((f) => t.scenario.includes(f))));
  const bugs = rare.filter((t) => t.expect[backend]?.oracle);
  const twinTargets = targets.filter((t) => !t.expect[backend]?.oracle && t.expect[backend] && rare.some((b) => `${b.scenario}-fixed` === t.scenario));
  const runDir = `reports/bench-search-runs/${new Date().toISOString().replace(/[:.]/g, '')}`;
  const rows = [];
  const seedList = Array.from({ length: seeds }, (_, i) => i + firstSeed);
  const twinRows = [];
  if (flags['from-rows']) {
    // --from-rows dir,dir: no campaign, the rows kept by earlier runs (e.g. several run side by side, or one cut short)
    for (const r of String(flags['from-rows']).split(',').flatMap((dir) => readFileSync(`${dir}/rows.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l)))) {
      r.inStartup ??= r.found && r.minimal.split('; ').some((step) => step.startsWith('spawn+'));
      if (r.twin && twinTargets.some((t) => t.scenario === r.target)) twinRows.push(r);
      else if (!r.twin && bugs.some((t) => t.scenario === r.target)) rows.push(r);
    }
  }
  for (const target of flags['from-rows'] ? [] : bugs) {
    for (const seed of seedList) {
      for (const s of chosen) {
        const row = await campaign(target, s, { seed, backend, bins, firstOnly, budget, reportDir: `${runDir}/${target.scenario}/${s.name}/seed-${seed}` });
        rows.push(row);
        keep(runDir, row);
        console.error(`search ${row.target} seed ${seed} ${s.name}: ${describeRow(row)}`);
      }
    }
  }
  for (const target of flags['from-rows'] ? [] : twinTargets) {
    for (const seed of seedList.slice(0, twins)) {
      for (const s of chosen) {
        const row = await campaign(target, s, { seed, backend, bins, budget, reportDir: `${runDir}/${target.scenario}/${s.name}/seed-${seed}` });
        twinRows.push(row);
        keep(runDir, { twin: true, ...row });
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
        const window = found.filter((r) => !r.inStartup);
        return [
          s.name,
          {
            found: `${found.length}/${rs.length}`,
            share: found.length / rs.length,
            foundInWindow: `${window.length}/${rs.length}`,
            medianFirstFailureS: round(median(found.map((r) => r.firstFailureS)), 1),
            medianCampaignS: round(median(rs.map((r) => r.campaignS)), 1),
          },
        ];
      }),
    ),
  }));
  const falsePositives = twinRows.filter((r) => r.found).map((r) => `${r.target} (${r.search}): ${r.signature}`);
  return { json: { settings: { seeds, backend, searches: chosen, bins, twins, firstOnly: Boolean(firstOnly), ...(budget ? { budget } : {}) }, runDir, perBug, rows, twins: twinRows, falsePositives }, markdown: markdown(chosen, bugs, perBug, rows, twinRows, seeds, backend, firstOnly) };
}

/** Each campaign's row as soon as it ends (rows.jsonl in the run's directory): a long run cut short keeps what it measured. */
function keep(runDir, row) {
  mkdirSync(runDir, { recursive: true });
  appendFileSync(`${runDir}/rows.jsonl`, `${JSON.stringify(row)}\n`);
}

function fail(message) {
  throw new Error(message);
}

function markdown(chosen, bugs, perBug, rows, twinRows, seeds, backend, firstOnly) {
  const amplified = (r) => (r.amplified?.text ? `, amplified ${r.amplified.text}` : '');
  const rates = (r) => `${r.inStartup ? ' (start-up)' : ''}${r.stoppedAtFirst ? '' : `; minimal ${r.reproduction?.text ?? '—'}, first failing ${r.originalReproduction?.text ?? '—'}${amplified(r)}`}`;
  const cell = (r) =>
    !r ? '' : r.foundInBudget ? `${round(r.firstFailureS, 1)} s${rates(r)}` : r.found ? `${round(r.firstFailureS, 1)} s (other oracle)${rates(r)}` : `— (${r.schedules} sch., ${round(r.campaignS)} s)`;
  const falsePositives = twinRows.filter((r) => r.found);
  return [
    `### Search power on rare windows (${seeds} seeds, ${backend} backend; campaigns alternated by seed: ${chosen.map((s) => s.name).join(', ')}${firstOnly ? '; each stopped at its first confirmed failure' : ''})`,
    '',
    table(
      ['bug', 'window', ...chosen.flatMap((s) => [`${s.name}: found in budget (not in start-up)`, `${s.name}: median first failure (s)`])],
      perBug.map((b) => [
        b.target,
        `${b.window.share} ${b.window.kind} (${b.window.runtime})`,
        ...chosen.flatMap((s) => [`${b.searches[s.name].found} (${b.searches[s.name].foundInWindow})`, b.searches[s.name].medianFirstFailureS]),
      ]),
    ),
    '',
    'Seed by seed: seconds to the first confirmed failure, the minimal schedule\'s reproduction and the first failing schedule\'s (runs, 95% interval), and where the campaign amplified a minimal under 80% the best variant\'s (amplify.json); or — with the schedules tried and the campaign\'s length.',
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
