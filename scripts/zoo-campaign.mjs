// One zoo row fuzzed from its fault space alone, as `npm run zoo:fuzz` and `npm run soak` both run it: the campaign's
// outcome in plain terms, and whether it is what the row expects (a bug found by its intended oracle, about as often as
// its first failing schedule; a twin clean).
import { asOften, fuzz, reliabilityBar } from '../dist/index.js';

/** Fuzzes `target` (a row of targets/zoo.json) on `backend` with seed 1 and 10 confirmation runs. */
export async function fuzzZooRow(target, backend, { runs, budgetMs, reportDir, signal }) {
  const intended = target.expect[backend].oracle;
  const started = Date.now();
  const { report } = await fuzz(`scenarios/${target.scenario}.yml`, { backend, runs, budgetMs, seed: 1, confirmRuns: 10, reportDir, signal });
  const o = report.outcome;
  const failed = o.kind === 'failed';
  const failing = failed ? o.failures.filter((f) => f.verdict === 'fail').map((f) => `${f.oracle}/${f.kind}`) : [];
  const row = {
    target: target.scenario,
    backend,
    seededBug: Boolean(intended),
    intendedOracle: intended ?? null,
    found: failed,
    signature: failed ? o.signature : null,
    // The minimal schedule's failure holds the row's oracle (a bug may fail others too, e.g. a kill and a lost request).
    byIntendedOracle: failed && Boolean(intended) && (failing.includes(intended) || o.signature === intended),
    timeToFirstFailureS: report.timeToFirstFailureMs === null ? null : +(report.timeToFirstFailureMs / 1000).toFixed(1),
    minimalEvents: failed ? o.minimal.length : null,
    minimal: report.minimalSteps.join('; '),
    reproduction: failed ? `${o.reproduction.failed}/${o.reproduction.runs}` : null,
    // The first failing schedule's estimate: the minimal schedule must reproduce about as often (src/fuzz/reliability.ts).
    firstReproduction: failed && o.originalReproduction ? `${o.originalReproduction.failed}/${o.originalReproduction.runs}` : null,
    asOften: failed && o.originalReproduction ? asOften(o.reproduction, reliabilityBar(o.originalReproduction)) : null,
    schedules: report.schedulesTried,
    trials: report.trialsRun,
    unconfirmed: report.findings.filter((f) => !f.confirmed).map((f) => f.signature),
    otherConfirmed: report.findings.filter((f) => f.confirmed).map((f) => f.signature),
    interrupted: report.interrupted,
    error: report.error?.message ?? null,
    reportDir,
    seconds: +((Date.now() - started) / 1000).toFixed(1),
  };
  row.ok = row.seededBug ? row.found && row.asOften !== false : !row.found;
  return row;
}

/** One line of progress for a row. */
export function rowLine(row) {
  if (row.interrupted) return `… ${row.target} (${row.backend}): interrupted`;
  const what = row.found
    ? `found ${row.signature} in ${row.timeToFirstFailureS} s, minimal ${row.minimalEvents} event(s), reproduces ${row.reproduction} (the first failing schedule ${row.firstReproduction})${row.asOften === false ? ', less often' : ''}`
    : 'nothing found';
  return `${row.ok ? '✓' : '✗'} ${row.target} (${row.backend}): ${what}`;
}
