// One schedule replayed n times, `--lanes` trials at once (as a campaign runs them), each trial judged by this build
// as `sigstorm run` does and its record judged again by another build's oracles: two rules compared on the very same
// trials, so the machine's load falls on both alike. Prints how often each failed, by signature, with the 95% Wilson
// interval, and the trials where they differ.
// Usage: node bench/rejudge.mjs <n> <scenario.yml> '<schedule JSON>' --before <old>/dist [--lanes 4]
// e.g.   node bench/rejudge.mjs 200 scenarios/node-commit-window-fixed.yml '[{"at":20,"signal":"SIGTERM"}]' \
//          --before node_modules/.old-dist --lanes 4
// Needs a build (npx tsc -p tsconfig.json); the process backend. The old build must sit inside the repository (its
// imports resolve from node_modules here).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { wilson } from '../dist/fuzz/wilson.js';
import { parseSchedule } from '../dist/schedule/parse.js';
import { run } from '../dist/session/run.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { before: { type: 'string' }, lanes: { type: 'string', default: '1' } } });
const [n, scenario, scheduleJson] = positionals;
if (!(Number(n) > 0) || !scenario || !scheduleJson || !values.before) {
  console.error("usage: node bench/rejudge.mjs <n> <scenario.yml> '<schedule JSON>' --before <old>/dist [--lanes 4]");
  process.exit(2);
}
const { judge: judgeBefore } = await import(pathToFileURL(resolve(values.before, 'oracles/judge.js')).href);
const schedule = parseSchedule(JSON.parse(scheduleJson), 'argument 3');
const failures = (results) => results.filter((r) => r.verdict === 'fail').map((r) => `${r.oracle}/${r.kind}`).sort().join(' + ');
const tally = { now: new Map(), before: new Map() };
const count = (map, key) => key && map.set(key, (map.get(key) ?? 0) + 1);
let next = 0;
let differ = 0;
async function lane() {
  for (let i = next++; i < Number(n); i = next++) {
    const { report } = await run(scenario, { backend: 'process', schedule, reportDir: 'reports/rejudge-runs' });
    const now = failures(report.results ?? []);
    const judgedBefore = judgeBefore(report.trial).results;
    const before = failures(judgedBefore);
    count(tally.now, now);
    count(tally.before, before);
    if (now !== before) {
      differ++;
      const lost = judgedBefore.find((r) => r.verdict === 'fail')?.message ?? '';
      console.log(`trial ${i}: now ${now || 'pass'}, before ${before || 'pass'}${lost ? ` (before: ${lost.slice(0, 300)})` : ''}`);
    }
  }
}
await Promise.all(Array.from({ length: Number(values.lanes) }, lane));
for (const [name, map] of Object.entries(tally)) {
  const failed = [...map.values()].reduce((a, b) => a + b, 0);
  const w = wilson(failed, Number(n));
  console.log(`${name}: ${failed}/${n} failed (${Math.round(w.low * 100)}–${Math.round(w.high * 100)}%)${[...map].map(([k, v]) => `; ${k} ${v}`).join('')}`);
}
console.log(`${differ} trial(s) judged differently`);
