// Part 1 — trial overhead. Wall time of one sigstorm trial (as a campaign runs it: start, ready, play, exit,
// teardown, judge) minus its schedule horizon, against the raw floor measured alternately in the same run:
//   docker:  `docker run -d` of the same image + readiness poll + `docker stop` + `docker rm`
//   process: a bare spawn of the same binary + readiness poll + SIGTERM + wait for exit.
// Also splits the sigstorm trial into phases (before spawn, spawn→ready, ready→exit, exit→done).
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadScenario, parseSchedule, judge } from '../dist/index.js';
import { selectBackend } from '../dist/backends/select.js';
import { runTrial } from '../dist/trial/trial.js';
import { monotonicOffsetMs } from '../dist/time.js';
import { BENCH_LABEL, docker, elapsed, freePort, median, pollReady, round, table } from './lib.mjs';

const SCENARIO = 'scenarios/unread-notify-fixed.yml';
const HORIZON_MS = 100;
// The process backend's goal is tighter: its floor is a bare spawn, 28 ms, where every /proc scan shows.
const GOALS = { docker: 1.3, process: 1.1 };

async function sigstormTrial(scenario, backend, i) {
  const schedule = parseSchedule([{ at: HORIZON_MS, signal: 'SIGTERM' }], 'bench');
  const t0 = performance.now();
  const record = await runTrial({ scenario, backend, schedule, runId: `bench-overhead-${process.pid}-${backend.name}-${i}` });
  const { verdict } = judge(record);
  const total = elapsed(t0);
  if (verdict !== 'pass') throw new Error(`bench trial on ${backend.name}: verdict ${verdict}`);
  const readyAt = record.readyMonotonicMs - monotonicOffsetMs() - t0;
  const spawnedAt = readyAt - record.spawnToReadyMs;
  const exitAt = readyAt + record.exit.atMs;
  return {
    totalMs: total,
    overheadMs: total - HORIZON_MS,
    phases: { beforeSpawnMs: spawnedAt, spawnToReadyMs: record.spawnToReadyMs, readyToExitMs: record.exit.atMs, exitToDoneMs: total - exitAt },
    image: record.target.image,
  };
}

async function rawDocker(image) {
  const t0 = performance.now();
  const id = docker('run', '-d', '--label', BENCH_LABEL, '-e', 'ZOO_MODE=graceful', '-p', '127.0.0.1::8080', image);
  const started = elapsed(t0);
  const port = Number(docker('port', id, '8080/tcp').split(':').pop());
  await pollReady(port);
  const ready = elapsed(t0);
  docker('stop', '-t', '3', id);
  const stopped = elapsed(t0);
  docker('rm', id);
  const total = elapsed(t0);
  return { totalMs: total, phases: { runMs: started, toReadyMs: ready - started, stopMs: stopped - ready, rmMs: total - stopped } };
}

async function rawProcess(command) {
  const t0 = performance.now();
  const port = await freePort();
  const child = spawn(command, [], { env: { ...process.env, PORT: String(port), ZOO_MODE: 'graceful' }, stdio: 'ignore', detached: true });
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  await pollReady(port);
  const ready = elapsed(t0);
  child.kill('SIGTERM');
  const exit = await exited;
  if (exit.code !== 0) throw new Error(`raw process exited ${exit.code ?? exit.signal}`);
  const total = elapsed(t0);
  return { totalMs: total, phases: { toReadyMs: ready, stopMs: total - ready } };
}

const summarise = (rows, key) => round(median(rows.map((r) => key(r))), 1);
const phaseMedians = (rows) => Object.fromEntries(Object.keys(rows[0].phases).map((k) => [k, summarise(rows, (r) => r.phases[k])]));

export async function overhead({ quick = false, n, backends = 'docker,process' } = {}) {
  const N = n ?? (quick ? 5 : 15);
  const scenario = await loadScenario(SCENARIO);
  const results = {};
  for (const name of String(backends).split(',')) {
    const backend = await selectBackend(name, scenario);
    await backend.prepare(scenario.target);
    const warm = await sigstormTrial(scenario, backend, 0); // warm-up: image built, engine client and modules loaded
    const command = resolve(scenario.target.process.cwd ?? 'scenarios', scenario.target.process.command[0]);
    const raw = () => (name === 'docker' ? rawDocker(warm.image) : rawProcess(command));
    await raw();
    const rows = { sigstorm: [], raw: [] };
    for (let i = 1; i <= N; i++) {
      // Alternate which goes first, so drift in the machine's load hits both alike.
      if (i % 2) rows.raw.push(await raw());
      rows.sigstorm.push(await sigstormTrial(scenario, backend, i));
      if (!(i % 2)) rows.raw.push(await raw());
    }
    const sigstormMs = summarise(rows.sigstorm, (r) => r.overheadMs);
    const rawMs = summarise(rows.raw, (r) => r.totalMs);
    results[name] = {
      trials: N,
      sigstormTrialMs: summarise(rows.sigstorm, (r) => r.totalMs),
      sigstormMinusHorizonMs: sigstormMs,
      rawFloorMs: rawMs,
      ratio: round(sigstormMs / rawMs, 2),
      // The ratio of each trial to the raw run next to it: less sensitive to drift in the machine's load.
      pairedRatioMedian: round(median(rows.sigstorm.map((s, i) => s.overheadMs / rows.raw[i].totalMs)), 2),
      goal: GOALS[name],
      sigstormPhasesMs: phaseMedians(rows.sigstorm),
      rawPhasesMs: phaseMedians(rows.raw),
      rows,
    };
    console.error(`overhead ${name}: sigstorm ${sigstormMs} ms (minus ${HORIZON_MS} ms horizon) vs raw ${rawMs} ms → ×${results[name].ratio}`);
  }
  const markdown = [
    `### Trial overhead (${SCENARIO}, schedule: SIGTERM at +${HORIZON_MS} ms; medians of ${N} alternated pairs)`,
    '',
    table(
      ['backend', 'sigstorm trial (ms)', 'minus horizon (ms)', 'raw floor (ms)', 'ratio', 'paired ratio', 'goal'],
      Object.entries(results).map(([b, r]) => [b, r.sigstormTrialMs, r.sigstormMinusHorizonMs, r.rawFloorMs, r.ratio, r.pairedRatioMedian, `≤ ${r.goal} ${r.ratio <= r.goal ? '✓' : '✗'}`]),
    ),
    '',
    'Phases of the sigstorm trial (median ms): ' +
      Object.entries(results)
        .map(([b, r]) => `${b} ${Object.entries(r.sigstormPhasesMs).map(([k, v]) => `${k} ${v}`).join(', ')}`)
        .join('; ') +
      '. Raw floor: ' +
      Object.entries(results)
        .map(([b, r]) => `${b} ${Object.entries(r.rawPhasesMs).map(([k, v]) => `${k} ${v}`).join(', ')}`)
        .join('; ') +
      '.',
  ].join('\n');
  return { json: { scenario: SCENARIO, horizonMs: HORIZON_MS, ...results }, markdown };
}
