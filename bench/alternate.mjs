// Schedules of one or more scenarios replayed alternately (A, B, C, A, B, C, …), one trial at a time, each judged as
// `sigstorm run` does, to compare how often each fails on a shared machine (its load falls on all alike). Prints each
// schedule's failures k/n with the 95% Wilson interval, and keeps one line per trial (the exit, and when each event's
// anchor came and it landed, ms after readiness) in reports/alternate-<time>.jsonl.
// Usage: node bench/alternate.mjs <rounds> <scenario.yml> '<schedule JSON>' [<scenario.yml> '<schedule JSON>' …]
// e.g.   node bench/alternate.mjs 30 scenarios/transfer-window.yml '[{"at":7,"after":{"file":"transfers.log"},"signal":"SIGTERM"}]' \
//          scenarios/transfer-window.yml '[{"at":5,"after":{"file":"transfers.log"},"signal":"SIGTERM"}]'
// Needs a build (npx tsc -p tsconfig.json); the process backend.
import { appendFileSync, mkdirSync } from 'node:fs';
import { wilson } from '../dist/fuzz/wilson.js';
import { parseSchedule } from '../dist/schedule/parse.js';
import { run } from '../dist/session/run.js';

const [rounds, ...rest] = process.argv.slice(2);
const arms = [];
for (let i = 0; i + 1 < rest.length; i += 2) arms.push({ scenario: rest[i], schedule: parseSchedule(JSON.parse(rest[i + 1]), `argument ${i + 3}`), failed: 0, runs: 0 });
if (!(Number(rounds) > 0) || arms.length === 0) {
  console.error("usage: node bench/alternate.mjs <rounds> <scenario.yml> '<schedule JSON>' [<scenario.yml> '<schedule JSON>' …]");
  process.exit(2);
}
mkdirSync('reports', { recursive: true });
const out = `reports/alternate-${new Date().toISOString().replace(/[:.]/g, '')}.jsonl`;
for (let round = 0; round < Number(rounds); round++) {
  for (const [k, arm] of arms.entries()) {
    const { report } = await run(arm.scenario, { backend: 'process', schedule: arm.schedule, reportDir: 'reports/alternate-runs' });
    const t = report.trial;
    arm.runs++;
    if (report.verdict === 'fail') arm.failed++;
    const events = t.events.filter((e) => e.origin === 'schedule').map((e) => ({ anchorMs: e.anchorMs, deliveredMs: e.deliveredMs }));
    appendFileSync(out, `${JSON.stringify({ arm: k, round, verdict: report.verdict, status: t.exit.status, exitMs: t.exit.atMs, events, writes: t.writes?.slice(0, 10) })}\n`);
  }
}
for (const arm of arms) {
  const w = wilson(arm.failed, arm.runs);
  console.log(`${arm.failed}/${arm.runs} (${Math.round(w.low * 100)}–${Math.round(w.high * 100)}%)  ${arm.scenario}  ${JSON.stringify(arm.schedule)}`);
}
console.log(`trials: ${out}`);
