// Saves trimmed copies of zoo trial records as the diagnosis catalogue's test fixtures: for each scenario named, the
// newest reports/<scenario>/<run>/report.json per backend becomes test/fixtures/diagnosis/<scenario>.<backend>.json,
// holding the record and the oracle results (without diagnoses), with large arrays cut to what the diagnoses read.
// Usage: node scripts/diagnosis-fixtures.mjs shell-form shell-form-fixed …   (after running them, e.g. npm run zoo)
// REPORTS=<dir> reads another report directory (--report-dir); OUT=<dir> writes elsewhere (test/fixtures/servers/).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';

const trimRecord = (t) => {
  const signalAt = t.events.flatMap((e) => (e.deliveries ?? []).map((d) => d.atMs)).sort((a, b) => a - b)[0] ?? 0;
  const keep = new Set([0, 1, 2, t.samples.length - 2, t.samples.length - 1]);
  return {
    ...t,
    samples: t.samples
      .filter((_, i) => keep.has(i))
      .map((s) => ({ ...s, processes: s.processes.map(({ fdTargets, fdKinds, ...p }) => p) })),
    // the requests around and after the first signal decide; of those before, the last few answered per path say how
    // long that path took to answer (what exit-before-drain compares a cut request's send with)
    ledger: [...answeredBefore(t.ledger, signalAt - 50), ...t.ledger.filter((e) => e.endMs >= signalAt - 50).slice(0, 60)].sort((a, b) => a.id - b.id),
    connections: undefined,
    logs: t.logs.length > 40 ? [...t.logs.slice(0, 5), ...t.logs.slice(-35)] : t.logs,
  };
};
const answeredBefore = (ledger, at) => {
  const before = ledger.filter((e) => e.endMs < at && e.outcome === 'ok');
  return [...new Set(before.map((e) => e.path))].flatMap((path) => before.filter((e) => e.path === path).slice(-5));
};
const trimEvidence = (evidence) =>
  evidence && Object.fromEntries(Object.entries(evidence).map(([k, v]) => [k, Array.isArray(v) ? v.slice(0, 10) : v]));

const REPORTS = process.env.REPORTS ?? 'reports';
const OUT = process.env.OUT ?? 'test/fixtures/diagnosis';
for (const scenario of process.argv.slice(2)) {
  const dir = `${REPORTS}/${scenario}`;
  const newest = {};
  for (const run of readdirSync(dir).sort()) {
    const path = `${dir}/${run}/report.json`;
    if (!existsSync(path)) continue;
    const report = JSON.parse(readFileSync(path, 'utf8'));
    if (report.trial) newest[report.backend] = report;
  }
  for (const [backend, report] of Object.entries(newest)) {
    const results = report.results.map(({ diagnosis, ...r }) => ({ ...r, ...(r.evidence ? { evidence: trimEvidence(r.evidence) } : {}) }));
    const fixture = { scenario, backend, verdict: report.verdict, results, trial: trimRecord(report.trial) };
    // paths relative to this checkout: a fixture must not name the directory it was recorded in
    writeFileSync(`${OUT}/${scenario}.${backend}.json`, `${JSON.stringify(fixture).replaceAll(`${process.cwd()}/`, '')}\n`);
  }
}
