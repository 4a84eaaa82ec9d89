// Timing precision of signal delivery, measured against the probe target, which logs the CLOCK_MONOTONIC time at
// which each signal reaches it (sigstorm's clock is the same kernel clock). For each delivery path (process by host
// pid, docker by host pid, docker through its API): delivery lag (received − scheduled) p50/p99 at the target and
// on sigstorm's side (sent − scheduled), the gap between the two signals of a race at the target and as sent, and
// the rate of a storm (standard signals coalesce while pending, so received ≤ sent). Each measurement is one trial
// in a fresh Node process. With `--before <old>/dist`, the old build is measured too, alternating old and new per
// path (old, new, new, old, …), for a before/after table in one run.
// Writes reports/bench-timing.json. Usage: npm run bench:timing [-- rounds] [--pairs 2] [--before /path/to/old/dist]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { floorSamples } from './floor.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    before: { type: 'string' },
    pairs: { type: 'string', default: '2' },
    child: { type: 'boolean', default: false },
    dist: { type: 'string' },
    backend: { type: 'string' },
    path: { type: 'string' },
  },
});
const ROUNDS = Number(positionals[0] ?? 40);
const PATHS = [['process', 'host-pid'], ['docker', 'host-pid'], ['docker', 'docker-api']];
const NEW_DIST = fileURLToPath(new URL('../dist', import.meta.url));

if (values.child) {
  process.stdout.write(JSON.stringify(await measure(values.dist, values.backend, values.path)));
} else {
  await main();
}

/** One trial of the probe: ROUNDS signals, ROUNDS races, a storm; the raw samples in µs. */
async function measure(dist, backend, path) {
  const { parseSchedule, run } = await import(pathToFileURL(join(dist, 'index.js')).href);
  const NAMES = Object.fromEntries(Object.entries(constants.signals).map(([name, n]) => [n, name]));
  const spacing = 50;
  const events = [];
  for (let i = 0; i < ROUNDS; i++) events.push({ at: 100 + i * spacing, signal: 'SIGUSR1' });
  const raceStart = 200 + ROUNDS * spacing;
  for (let i = 0; i < ROUNDS; i++) events.push({ at: raceStart + i * spacing, kind: 'race', signals: ['SIGUSR2', 'SIGHUP'] });
  const stormAt = raceStart + ROUNDS * spacing + 200;
  events.push({ at: stormAt, kind: 'storm', signals: ['SIGWINCH'], count: 300, spacing: 0 });
  const reportDir = mkdtempSync(join(tmpdir(), 'sigstorm-bench-timing-'));
  const { report } = await run('scenarios/probe.yml', { backend, schedule: parseSchedule(events, 'bench'), reportDir });
  const trial = report.trial;
  const got = trial.logs
    .map((l) => /probe: (\d+) (\d+)/.exec(l.text))
    .filter(Boolean)
    .map(([, n, ns]) => ({ signal: NAMES[Number(n)], atMs: Number(ns) / 1e6 - trial.readyMonotonicMs }));
  const byTime = (signal, from, to) => got.filter((r) => r.signal === signal && r.atMs >= from && r.atMs < to);
  const us = (ms) => ms * 1000;
  const out = { lag: [], sentLag: [], gap: [], sentGap: [], sentFrom: trial.events[0]?.sentFrom ?? 'event-loop' };
  for (const e of trial.events.filter((e) => e.kind === 'signal' && e.signal === 'SIGUSR1')) {
    const r = byTime('SIGUSR1', e.scheduledMs, e.scheduledMs + spacing)[0];
    if (r) out.lag.push(us(r.atMs - e.scheduledMs));
    if (e.deliveredMs !== undefined) out.sentLag.push(us(e.deliveredMs - e.scheduledMs));
  }
  for (const e of trial.events.filter((e) => e.kind === 'race')) {
    const a = byTime('SIGUSR2', e.scheduledMs, e.scheduledMs + spacing)[0];
    const b = byTime('SIGHUP', e.scheduledMs, e.scheduledMs + spacing)[0];
    if (a && b) out.gap.push(us(Math.abs(b.atMs - a.atMs)));
    if (e.deliveries?.length === 2) out.sentGap.push(us(e.deliveries[1].atMs - e.deliveries[0].atMs));
  }
  const sent = trial.events.find((e) => e.kind === 'storm').deliveries ?? [];
  const stormMs = sent.length > 1 ? sent.at(-1).atMs - sent[0].atMs : NaN;
  out.storm = { sent: sent.length, received: got.filter((r) => r.signal === 'SIGWINCH').length, ms: stormMs };
  return out;
}

async function main() {
  const builds = [['after', NEW_DIST]];
  if (values.before) builds.unshift(['before', resolve(values.before)]);
  const pairs = values.before ? Number(values.pairs) : 1;
  const pooled = new Map();
  for (const [backend, path] of PATHS) {
    for (let pair = 0; pair < pairs; pair++) {
      // Alternate the order each pair, so neither build always runs first into a warmer (or busier) machine.
      const order = pair % 2 === 0 ? builds : [...builds].reverse();
      for (const [build, dist] of order) {
        const raw = JSON.parse(
          execFileSync(process.execPath, [fileURLToPath(import.meta.url), String(ROUNDS), '--child', '--dist', dist, '--backend', backend, '--path', path], {
            env: { ...process.env, SIGSTORM_DOCKER_DELIVERY: path === 'docker-api' ? 'api' : '' },
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'inherit'],
          }),
        );
        const key = `${build} ${backend} ${path}`;
        const into = pooled.get(key) ?? { build, backend, path, lag: [], sentLag: [], gap: [], sentGap: [], storms: [], sentFrom: raw.sentFrom };
        for (const k of ['lag', 'sentLag', 'gap', 'sentGap']) into[k].push(...raw[k]);
        into.storms.push(raw.storm);
        pooled.set(key, into);
        console.error(`measured ${key} (${pair + 1}/${pairs})`);
      }
    }
  }
  const q = (xs, p) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length ? Math.round(s[Math.max(0, Math.ceil(p * s.length) - 1)]) : null;
  };
  const dist = (xs) => ({ p50: q(xs, 0.5), p99: q(xs, 0.99), max: q(xs, 1), n: xs.length });
  const rows = [...pooled.values()].map((r) => {
    const sent = r.storms.reduce((a, s) => a + s.sent, 0);
    const ms = r.storms.reduce((a, s) => a + s.ms, 0);
    return {
      build: r.build,
      backend: r.backend,
      path: r.path,
      sentFrom: r.sentFrom,
      lagUs: dist(r.lag),
      sigstormSideLagUs: dist(r.sentLag),
      raceGapUs: dist(r.gap),
      sigstormSideRaceGapUs: dist(r.sentGap),
      storm: { sent, received: r.storms.reduce((a, s) => a + s.received, 0), sentPerSecond: Math.round((sent - r.storms.length) / (ms / 1000)) },
    };
  });
  // The machine's floor, measured right after: what a FIFO thread alone achieves here (bench/floor.mjs).
  const floor = dist(await floorSamples(ROUNDS * 2 * pairs));
  mkdirSync('reports', { recursive: true });
  writeFileSync('reports/bench-timing.json', `${JSON.stringify({ rounds: ROUNDS, pairs, before: values.before ?? null, rows, floorUs: floor }, null, 2)}\n`);
  console.table(
    rows.map((r) => ({
      build: r.build,
      path: `${r.backend} ${r.path}`,
      'lag p50 µs': r.lagUs.p50,
      'lag p99 µs': r.lagUs.p99,
      'sent lag p50 µs': r.sigstormSideLagUs.p50,
      'sent lag p99 µs': r.sigstormSideLagUs.p99,
      'race gap p50 µs': r.raceGapUs.p50,
      'race gap p99 µs': r.raceGapUs.p99,
      'sent gap p99 µs': r.sigstormSideRaceGapUs.p99,
      'storm sent/s': r.storm.sentPerSecond,
      'storm received': `${r.storm.received}/${r.storm.sent}`,
    })),
  );
  console.log(`machine floor (a SCHED_FIFO thread alone, kill(2) at ${floor.n} instants): lateness p50 ${floor.p50} µs, p99 ${floor.p99} µs, max ${floor.max} µs`);
}
