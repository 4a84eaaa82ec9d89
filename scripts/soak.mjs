// The soak: zoo bugs and twins fuzzed from their fault space (as `npm run zoo:fuzz` does, scripts/zoo-campaign.mjs)
// while busy loops, and optionally an I/O hog, compete for the cores, each row also fuzzed without that load as the
// baseline, the two alternated row by row. Counts per condition: bugs caught by their intended oracle, misses, twins
// clean, false positives (a twin's confirmed failure) and unconfirmed findings on twins. Writes reports/soak.json and
// prints a Markdown table. Exit 1 when any row is not as the zoo expects, under either condition.
//   npm run soak [-- budget-seconds runs] [--busy N] [--io] [--only regex | --all] [--both | --backend name]
//   budget-seconds, runs  each campaign's budget and its most schedules (default 60, 40)
//   --busy N              busy loops beside the loaded campaigns (default 2); --busy 0 without --io: the baseline only
//   --io                  an I/O hog as well (4 MiB written and fsynced, again and again)
//   --only regex / --all  the rows to fuzz (default: one bug and its twin per oracle class, DEFAULT_ONLY)
//   --both / --backend    every backend a row lists / only this one (default: process where the class applies)
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { killAllLoad, startLoad } from './load.mjs';
import { zooArgs } from './zoo-args.mjs';
import { fuzzZooRow, rowLine } from './zoo-campaign.mjs';

// One quick pair per oracle class, and the ones load once shook (hup-leak's storm, watchdog's wall clock). Left out
// by default: the rare windows (`npm run bench -- --only search` measures them, a minute's campaign is not enough),
// the stacks and the grace-period-long ones (`--all` runs every row).
const DEFAULT_ONLY =
  '^(sigint-only|return-on-close|double-close|exit-no-flush|hup-leak|hup-unhandled|unread-notify|node-exit-at-once|jobs-ack-before-do|tcp-close-at-once|orphan-helper|watchdog-wallclock|k8s-endpoint-lag)(-fixed)?$';

const argv = process.argv.slice(2);
const valueOf = (name, fallback) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback);
const { numbers, runs: rows, only } = zooArgs(argv, [60, 40], { valueFlags: ['--busy'], defaultOnly: DEFAULT_ONLY });
const [budgetS, runs] = numbers;
const load = { busy: valueOf('--busy', 2), io: argv.includes('--io') };
if (!Number.isInteger(load.busy) || load.busy < 0) throw new Error(`soak: --busy wants a whole number of busy loops, got ${argv[argv.indexOf('--busy') + 1]}`);
const loaded = load.busy > 0 || load.io;
const loadName = [load.busy ? `${load.busy} busy loop${load.busy > 1 ? 's' : ''}` : '', load.io ? 'I/O hog' : ''].filter(Boolean).join(' + ');

const stamp = new Date().toISOString().replace(/[:.]/g, '');
const controller = new AbortController();
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.once(sig, () => {
    killAllLoad(); // at once: nothing spins while the campaign winds down
    process.exitCode = code;
    controller.abort();
  });
}

/** One campaign under one condition, with the load started just before it and stopped (waited for) just after. */
async function campaign(target, backend, withLoad) {
  const running = withLoad ? startLoad(load) : undefined;
  // A report directory per condition: no finding saved by the other condition's campaign seeds this one.
  const reportDir = `reports/soak-runs/${stamp}/${withLoad ? 'loaded' : 'baseline'}`;
  const started = Date.now();
  try {
    const row = await fuzzZooRow(target, backend, { runs, budgetMs: budgetS * 1000, reportDir, signal: controller.signal });
    return { ...row, loaded: withLoad, loadAverage: +loadavg()[0].toFixed(1) };
  } catch (error) {
    // A campaign that could not run (the target never ready, a build failed) is a row in error, not the soak's end.
    const seededBug = Boolean(target.expect[backend].oracle);
    const seconds = +((Date.now() - started) / 1000).toFixed(1);
    return { target: target.scenario, backend, seededBug, intendedOracle: target.expect[backend].oracle ?? null, found: false, unconfirmed: [], otherConfirmed: [], error: error.message, ok: false, seconds, loaded: withLoad, loadAverage: +loadavg()[0].toFixed(1) };
  } finally {
    await running?.stop();
  }
}

const results = [];
for (const [i, [target, backend]] of rows.entries()) {
  // Alternated: even rows start without load, odd rows with it, so neither condition always runs on a warmer machine.
  const order = !loaded ? [false] : i % 2 === 0 ? [false, true] : [true, false];
  const pair = {};
  for (const withLoad of order) {
    if (controller.signal.aborted) break;
    const row = await campaign(target, backend, withLoad);
    pair[withLoad ? 'loaded' : 'baseline'] = row;
    console.error(`${withLoad ? `[${loadName}]` : '[no load]'} ${rowLine(row)}${row.unconfirmed.length ? `; unconfirmed: ${row.unconfirmed.join(', ')}` : ''}`);
  }
  if (controller.signal.aborted) break;
  results.push({ target: target.scenario, backend, ...pair });
}

const conditions = loaded ? ['baseline', 'loaded'] : ['baseline'];
const summary = Object.fromEntries(conditions.map((c) => [c, tally(results.map((r) => r[c]))]));
mkdirSync('reports', { recursive: true });
writeFileSync('reports/soak.json', `${JSON.stringify({ date: new Date().toISOString(), budgetS, runs, load, only, interrupted: controller.signal.aborted, summary, rows: results }, null, 2)}\n`);
console.log(table(results, conditions));
console.log(`\n${conditions.map((c) => `${c === 'loaded' ? loadName : 'no load'}: ${say(summary[c])}`).join('\n')}`);
if (!process.exitCode) process.exitCode = conditions.some((c) => !summary[c].ok) ? 1 : 0;

/** A bug caught by its intended oracle about as often as first seen; a twin with no finding at all, confirmed or not. */
function asExpected(r) {
  if (r.error) return false;
  return r.seededBug ? r.ok && r.byIntendedOracle : r.ok && r.unconfirmed.length === 0 && r.otherConfirmed.length === 0;
}

/** The counts the issue asks for, over one condition's rows. */
function tally(rs) {
  const bugs = rs.filter((r) => r.seededBug);
  const twins = rs.filter((r) => !r.seededBug);
  const t = {
    bugs: bugs.length,
    caught: bugs.filter(asExpected).length,
    caughtOtherwise: bugs.filter((r) => r.found && !r.byIntendedOracle).length,
    missed: bugs.filter((r) => !r.found).length,
    lessOften: bugs.filter((r) => r.found && r.asOften === false).length,
    twins: twins.length,
    twinsClean: twins.filter(asExpected).length,
    falsePositives: twins.filter((r) => r.found || r.otherConfirmed.length > 0).length,
    unconfirmedOnTwins: twins.reduce((n, r) => n + r.unconfirmed.length, 0),
    errors: rs.filter((r) => r.error).length,
  };
  return { ...t, ok: t.caught === t.bugs && t.twinsClean === t.twins && t.errors === 0 };
}

function say(t) {
  return `${t.caught}/${t.bugs} bugs caught by their intended oracle (${t.missed} missed, ${t.caughtOtherwise} by another oracle, ${t.lessOften} reproducing less often), ${t.twinsClean}/${t.twins} twins clean (${t.falsePositives} false positives, ${t.unconfirmedOnTwins} unconfirmed findings), ${t.errors} errors`;
}

/** One cell: what a campaign came to, in a few words. */
function cell(r) {
  if (!r) return '';
  const extra = `${r.unconfirmed.length ? `; ${r.unconfirmed.length} unconfirmed` : ''}${r.error ? `; error: ${r.error.split('\n')[0]}` : ''}`;
  if (!r.seededBug) return `${r.found ? `**false positive** ${r.signature} ${r.reproduction}` : `clean, ${r.trials} trials`}${extra} (${r.seconds} s, load ${r.loadAverage})`;
  if (!r.found) return `**missed**${extra} (${r.seconds} s, load ${r.loadAverage})`;
  const oracle = r.byIntendedOracle ? '' : ` **not by ${r.intendedOracle}**`;
  return `${r.signature}${oracle} at ${r.timeToFirstFailureS} s, ${r.reproduction} (first ${r.firstReproduction ?? '—'})${r.asOften === false ? ' **less often**' : ''}${extra} (${r.seconds} s, load ${r.loadAverage})`;
}

function table(rs, cs) {
  const heads = cs.map((c) => (c === 'loaded' ? `with ${loadName}` : 'no load'));
  const ok = (r) => cs.every((c) => r[c] && asExpected(r[c]));
  return [
    `| target | backend | expected | ${heads.join(' | ')} | ok |`,
    `|---|---|---|${cs.map(() => '---|').join('')}---|`,
    ...rs.map((r) => `| ${r.target} | ${r.backend} | ${(r.baseline ?? r.loaded).intendedOracle ?? 'clean'} | ${cs.map((c) => cell(r[c])).join(' | ')} | ${ok(r) ? '✓' : '✗'} |`),
  ].join('\n');
}
