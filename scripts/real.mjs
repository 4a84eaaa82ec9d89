// The real-server corpus: every scenario in scenarios/real/ (listed in targets/real/corpus.json) played once with
// its own schedule (`run`) and fuzzed briefly from its declared fault space (`fuzz`), on the process backend. Each
// must give the verdict the server's documentation predicts: pass for its graceful paths, a failure by the named
// oracle for its fast stop. Writes reports/real.json and prints a Markdown table; exit 0 only when every row holds.
// Usage: npm run real [-- --runs 8 --budget 60 --only nginx-quit,apache2-winch --no-fuzz]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fuzz, run } from '../dist/index.js';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '8' },
    budget: { type: 'string', default: '60' }, // seconds per campaign
    only: { type: 'string' },
    'no-fuzz': { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
  },
});
const { scenarios } = JSON.parse(readFileSync('targets/real/corpus.json', 'utf8'));
const only = opts.only?.split(',');
const reportDir = `reports/real-runs/${new Date().toISOString().replace(/[:.]/g, '')}`;

/** What is wrong with a verdict against the documented expectation: failing signatures as `oracle/kind`. */
/** `shown`: what the documented schedule's own run failed with; a campaign that shrank to a part of it agrees. */
function problems(entry, verdict, failing, shown = []) {
  // a real bug of the server that a campaign may or may not meet (targets/real/corpus.json `finding`)
  const known = entry.finding && verdict === 'fail' && failing.every((f) => entry.finding.signatures.includes(f));
  if (entry.expect === 'pass') return verdict === 'pass' || known ? [] : [`expected pass, got ${verdict}: ${failing.join(', ')}`];
  const out = [];
  if (verdict !== 'fail') out.push(`expected a failure by ${entry.expect}, got ${verdict}`);
  else if (!failing.includes(entry.expect) && !(shown.includes(entry.expect) && failing.every((f) => shown.includes(f)))) {
    out.push(`expected ${entry.expect} among the failures, got ${failing.join(', ')}`);
  }
  if (entry.alive && failing.some((f) => f.startsWith('alive/'))) out.push(`the server must survive ${entry.signal}`);
  return out;
}

const rows = [];
for (const entry of scenarios.filter((s) => !only || only.includes(s.scenario))) {
  const path = `scenarios/real/${entry.scenario}.yml`;
  const row = { ...entry, path };
  try {
    const { report } = await run(path, { backend: 'process', reportDir });
    const failing = report.failures.map((f) => `${f.oracle}/${f.kind}`);
    row.run = { verdict: report.verdict, failing, problems: problems(entry, report.verdict, failing) };
  } catch (error) {
    row.run = { verdict: 'error', failing: [], problems: [error.message.split('\n')[0]] };
  }
  if (!opts['no-fuzz']) {
    try {
      const started = Date.now();
      const { report } = await fuzz(path, { backend: 'process', runs: Number(opts.runs), budgetMs: Number(opts.budget) * 1000, seed: Number(opts.seed), confirmRuns: 5, reportDir });
      const o = report.outcome;
      // the minimal trial's failing oracles and every confirmed finding's: a campaign follows its first failure only
      const sig = (f) => `${f.oracle}/${f.kind ?? 'fail'}`;
      const failing = [...new Set([...(o.kind === 'failed' ? o.failures : []), ...report.findings.filter((f) => f.confirmed).flatMap((f) => f.failures)].map(sig))];
      const verdict = o.kind === 'failed' ? 'fail' : o.kind === 'passed' ? 'pass' : o.kind;
      row.fuzz = {
        verdict,
        failing,
        minimal: report.minimalSteps.join('; '),
        reproduction: o.kind === 'failed' ? `${o.reproduction.failed}/${o.reproduction.runs}` : null,
        schedules: report.schedulesTried,
        trials: report.trialsRun,
        seconds: +((Date.now() - started) / 1000).toFixed(1),
        problems: problems(entry, verdict, failing, row.run.failing),
      };
    } catch (error) {
      row.fuzz = { verdict: 'error', failing: [], problems: [error.message.split('\n')[0]] };
    }
  }
  row.ok = row.run.problems.length === 0 && (!row.fuzz || row.fuzz.problems.length === 0);
  rows.push(row);
  const fz = row.fuzz ? `; fuzz ${row.fuzz.verdict} ${row.fuzz.failing.join(', ')}` : '';
  console.error(`${row.ok ? '✓' : '✗'} ${entry.scenario}: run ${row.run.verdict} ${row.run.failing.join(', ')}${fz}${row.ok ? '' : ` — ${[...row.run.problems, ...(row.fuzz?.problems ?? [])].join('; ')}`}`);
}

mkdirSync('reports', { recursive: true });
writeFileSync('reports/real.json', `${JSON.stringify({ measuredAt: new Date().toISOString(), backend: 'process', runs: Number(opts.runs), budgetS: Number(opts.budget), reportDir, rows }, null, 2)}\n`);
const oracleOf = (r) => (r.expect === 'pass' ? '—' : r.expect);
const shown = (x) => (x ? `${x.verdict}${x.failing.length ? ` (${x.failing.join(', ')})` : ''}` : 'not run');
const notes = rows.filter((r) => r.finding && r.fuzz?.verdict === 'fail').map((r) => `- ${r.server} ${r.signal}: the campaign met a known server bug: ${r.finding.note}.`);
console.log(
  [
    '| server | signal | documented behaviour | expected verdict | verdict (run) | verdict (fuzz) | oracle | ok |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.server} | ${r.signal} | ${r.documented} | ${r.expect === 'pass' ? 'pass' : 'fail'} | ${shown(r.run)} | ${shown(r.fuzz)} | ${oracleOf(r)} | ${r.ok ? '✓' : '✗'} |`),
  ].join('\n'),
);
if (notes.length) console.log(`\n${notes.join('\n')}`);
const bad = rows.filter((r) => !r.ok).length;
console.log(`\n${rows.length - bad} as documented, ${bad} not`);
process.exitCode = bad ? 1 : 0;
