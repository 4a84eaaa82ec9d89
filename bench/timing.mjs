// Timing precision of fault delivery, measured against the probe target, which logs the CLOCK_MONOTONIC time at
// which each signal reaches it (sigstorm's clock is the same kernel clock). For each backend and delivery path:
// delivery lag (received − scheduled) p50/p99, the gap between the two signals of a race p50/p99, and the rate of a
// storm (sent and received per second; standard signals coalesce while pending, so received ≤ sent).
// Writes reports/bench-timing.json. Usage: npm run bench:timing [-- rounds]
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants } from 'node:os';
import { parseSchedule, run } from '../dist/index.js';

const ROUNDS = Number(process.argv[2] ?? 40);
const reportDir = mkdtempSync(join(tmpdir(), 'sigstorm-bench-timing-'));
const NAMES = Object.fromEntries(Object.entries(constants.signals).map(([name, n]) => [n, name]));
const q = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? +s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(3) : null;
};

/** Signals as the probe logged them, in ms after readiness on the trial's clock. */
function received(trial) {
  return trial.logs
    .map((l) => /probe: (\d+) (\d+)/.exec(l.text))
    .filter(Boolean)
    .map(([, n, ns]) => ({ signal: NAMES[Number(n)], atMs: Number(ns) / 1e6 - trial.readyMonotonicMs }));
}

async function measure(backend, path) {
  process.env.SIGSTORM_DOCKER_DELIVERY = path === 'docker-api' ? 'api' : '';
  const spacing = 50;
  const events = [];
  for (let i = 0; i < ROUNDS; i++) events.push({ at: 100 + i * spacing, signal: 'SIGUSR1' });
  const raceStart = 200 + ROUNDS * spacing;
  for (let i = 0; i < ROUNDS; i++) events.push({ at: raceStart + i * spacing, kind: 'race', signals: ['SIGUSR2', 'SIGHUP'] });
  const stormAt = raceStart + ROUNDS * spacing + 200;
  events.push({ at: stormAt, kind: 'storm', signals: ['SIGWINCH'], count: 300, spacing: 0 });
  const { report } = await run('scenarios/probe.yml', { backend, schedule: parseSchedule(events, 'bench'), reportDir });
  const trial = report.trial;
  const got = received(trial);
  const byTime = (signal, from, to) => got.filter((r) => r.signal === signal && r.atMs >= from && r.atMs < to);

  const lags = [];
  const sentLags = [];
  for (const e of trial.events.filter((e) => e.kind === 'signal' && e.signal === 'SIGUSR1')) {
    const r = byTime('SIGUSR1', e.scheduledMs, e.scheduledMs + spacing)[0];
    if (r) lags.push(r.atMs - e.scheduledMs);
    sentLags.push(e.deliveredMs - e.scheduledMs);
  }
  const gaps = [];
  for (const e of trial.events.filter((e) => e.kind === 'race')) {
    const a = byTime('SIGUSR2', e.scheduledMs, e.scheduledMs + spacing)[0];
    const b = byTime('SIGHUP', e.scheduledMs, e.scheduledMs + spacing)[0];
    if (a && b) gaps.push(Math.abs(b.atMs - a.atMs) * 1000);
  }
  const storm = trial.events.find((e) => e.kind === 'storm');
  const sent = storm.deliveries ?? [];
  const stormMs = sent.length > 1 ? sent.at(-1).atMs - sent[0].atMs : NaN;
  const recvStorm = got.filter((r) => r.signal === 'SIGWINCH').length;
  return {
    backend,
    path,
    lagMs: { p50: q(lags, 0.5), p99: q(lags, 0.99), n: lags.length },
    sigstormSideLagMs: { p50: q(sentLags, 0.5), p99: q(sentLags, 0.99) },
    raceGapUs: { p50: q(gaps, 0.5), p99: q(gaps, 0.99), n: gaps.length },
    storm: { sent: sent.length, received: recvStorm, sentPerSecond: Math.round((sent.length - 1) / (stormMs / 1000)) },
  };
}

const rows = [];
for (const [backend, path] of [['process', 'host-pid'], ['docker', 'host-pid'], ['docker', 'docker-api']]) {
  rows.push(await measure(backend, path));
  console.error(`measured ${backend} via ${path}`);
}
const pid = rows.find((r) => r.backend === 'docker' && r.path === 'host-pid');
const api = rows.find((r) => r.path === 'docker-api');
const summary = { apiVsHostPidLagP50: +(api.lagMs.p50 / pid.lagMs.p50).toFixed(1), apiVsHostPidLagP99: +(api.lagMs.p99 / pid.lagMs.p99).toFixed(1) };
mkdirSync('reports', { recursive: true });
writeFileSync('reports/bench-timing.json', `${JSON.stringify({ rounds: ROUNDS, rows, summary }, null, 2)}\n`);
console.table(
  rows.map((r) => ({
    backend: r.backend,
    path: r.path,
    'lag p50 ms': r.lagMs.p50,
    'lag p99 ms': r.lagMs.p99,
    'race gap p50 µs': r.raceGapUs.p50,
    'race gap p99 µs': r.raceGapUs.p99,
    'storm sent/s': r.storm.sentPerSecond,
    'storm received': `${r.storm.received}/${r.storm.sent}`,
  })),
);
console.log(summary);
