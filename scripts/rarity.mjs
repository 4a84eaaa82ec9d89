// A rare window's rarity measured by hand, without sigstorm's trials: start the scenario's process form as a person
// would (its command and environment, a free port, a fresh data directory), drive its `requests` with plain node:http,
// send one SIGTERM at a uniformly random instant between --from and --to ms after it answers /healthz, and count the
// exits that were not a clean 0 (killed by the signal, or still running 5 s later). With the window's period
// (--period), kills ÷ trials × the span estimates the window's width and so the share of the time it is open.
// Usage: node scripts/rarity.mjs <scenario name> [trials] [--from 0] [--to 1500] [--period ms] [--parallel 8]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, openLoopTraffic, parseFlags, pollReady, sleep } from '../bench/lib.mjs';
import { loadScenario } from '../dist/index.js';

const argv = process.argv.slice(2);
const isFlag = (a, i) => a.startsWith('--') || argv[i - 1]?.startsWith('--');
const [name, trialsArg] = argv.filter((a, i) => !isFlag(a, i));
const flags = parseFlags(argv.filter(isFlag));
const trials = Number(trialsArg ?? 200);
const { from = 0, to = 1500, period, parallel = 8 } = flags;
const scenario = await loadScenario(`scenarios/${name}.yml`);
const form = scenario.target.process;
const streams = scenario.workload.requests ?? [];

/** One trial: spawn, ready, traffic, SIGTERM at a random instant; how it ended. */
async function trial() {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'rarity-'));
  const [file, ...args] = form.command;
  const child = spawn(file, args, { cwd: form.cwd, env: { ...process.env, ...form.env, DATA_DIR: dataDir, [form.portEnv]: String(port) }, stdio: 'ignore' });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  try {
    await pollReady(port);
    const traffic = openLoopTraffic(port, streams);
    const at = from + Math.random() * (to - from);
    await sleep(at);
    child.kill('SIGTERM');
    const end = await Promise.race([exited, sleep(5000).then(() => ({ hung: true }))]);
    if (end.hung) child.kill('SIGKILL');
    await traffic.stop();
    return { at, ...end };
  } finally {
    child.kill('SIGKILL');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Wilson score interval of k in n (95%). */
function wilson(k, n, z = 1.96) {
  const p = k / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

const results = [];
let next = 0;
const started = Date.now();
await Promise.all(
  Array.from({ length: parallel }, async () => {
    while (next < trials) {
      next++;
      const r = await trial();
      results.push(r);
      if (r.code !== 0) console.error(`  not clean: SIGTERM at +${r.at.toFixed(1)} ms → ${r.hung ? 'still running after 5 s' : r.signal ?? `exit ${r.code}`}`);
    }
  }),
);
const bad = results.filter((r) => r.code !== 0).length;
const [low, high] = wilson(bad, trials);
const span = to - from;
const pct = (x) => `${(x * 100).toFixed(2)}%`;
console.log(`${name}: ${bad} of ${trials} random SIGTERMs in +${from}..${to} ms after ready were not a clean exit: ${pct(bad / trials)} (95% interval ${pct(low)}–${pct(high)}); ${((Date.now() - started) / 1000).toFixed(0)} s, ${parallel} at once`);
if (period) {
  const w = (x) => (x * span).toFixed(1);
  console.log(`  window ≈ ${w(bad / trials)} ms (${w(low)}–${w(high)}) every ${period} ms: open ${pct((bad / trials) * span / period)} of the time (${pct((low * span) / period)}–${pct((high * span) / period)})`);
}
