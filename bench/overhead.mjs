// Part 1 — trial overhead. Wall time of one sigstorm trial (as a campaign runs it: start, ready, play, exit,
// teardown, judge) minus its schedule horizon, against the raw floor measured alternately in the same run:
//   docker:  `docker run -d` of the same image + readiness poll + `docker stop` + `docker rm`
//   process: a bare spawn of the same binary + readiness poll + SIGTERM + wait for exit.
// Also splits the sigstorm trial into phases (before spawn, spawn→ready, ready→exit, exit→done).
// With `--before <old>/dist`, the old build's trial is measured too, in the same rounds (raw, old, new, the order
// rotating), so a before/after comparison shares the machine's load: its ratio is reported as `before`.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { BENCH_LABEL, docker, elapsed, freePort, median, pollReady, round, table } from './lib.mjs';

/** The functions a trial needs, from one build's dist/ (this tree's, or an old one's for `--before`). */
async function build(dist) {
  const load = (path) => import(pathToFileURL(join(dist, path)).href);
  const [{ loadScenario, parseSchedule, judge }, { selectBackend }, { runTrial }, { monotonicOffsetMs }] = await Promise.all(
    ['index.js', 'backends/select.js', 'trial/trial.js', 'time.js'].map(load),
  );
  return { loadScenario, parseSchedule, judge, selectBackend, runTrial, monotonicOffsetMs };
}

const SCENARIO = 'scenarios/unread-notify-fixed.yml';
const HORIZON_MS = 100;
// The process backend's goal is tighter: its floor is a bare spawn, 28 ms, where every /proc scan shows.
const GOALS = { docker: 1.3, process: 1.1 };

async function sigstormTrial({ parseSchedule, runTrial, judge, monotonicOffsetMs }, scenario, backend, i) {
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

export async function overhead({ quick = false, n, backends = 'docker,process', before } = {}) {
  const N = n ?? (quick ? 5 : 15);
  const builds = [await build(resolve('dist')), ...(before ? [await build(resolve(before))] : [])];
  const results = {};
  for (const name of String(backends).split(',')) {
    // Each build with its own scenario and backend objects; the first is this tree's.
    const arms = await Promise.all(
      builds.map(async (b) => {
        const scenario = await b.loadScenario(SCENARIO);
        const backend = await b.selectBackend(name, scenario);
        await backend.prepare(scenario.target);
        return { b, scenario, backend };
      }),
    );
    const trial = (arm, i) => sigstormTrial(arm.b, arm.scenario, arm.backend, i);
    const warm = await trial(arms[0], 0); // warm-up: image built, engine client and modules loaded
    if (arms[1]) await trial(arms[1], 0);
    const { scenario } = arms[0];
    const command = resolve(scenario.target.process.cwd ?? 'scenarios', scenario.target.process.command[0]);
    const raw = () => (name === 'docker' ? rawDocker(warm.image) : rawProcess(command));
    await raw();
    const rows = { sigstorm: [], raw: [], before: [] };
    const runs = [() => raw().then((r) => rows.raw.push(r)), (i) => trial(arms[0], i).then((r) => rows.sigstorm.push(r))];
    if (arms[1]) runs.push((i) => trial(arms[1], i).then((r) => rows.before.push(r)));
    for (let i = 1; i <= N; i++) {
      // Rotate which goes first, so drift in the machine's load hits each alike.
      for (let k = 0; k < runs.length; k++) await runs[(i + k) % runs.length](i);
    }
    const sigstormMs = summarise(rows.sigstorm, (r) => r.overheadMs);
    const rawMs = summarise(rows.raw, (r) => r.totalMs);
    const beforeMs = arms[1] ? summarise(rows.before, (r) => r.overheadMs) : undefined;
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
      ...(arms[1]
        ? {
            before: {
              dist: resolve(before),
              sigstormMinusHorizonMs: beforeMs,
              ratio: round(beforeMs / rawMs, 2),
              pairedRatioMedian: round(median(rows.before.map((s, i) => s.overheadMs / rows.raw[i].totalMs)), 2),
              sigstormPhasesMs: phaseMedians(rows.before),
            },
          }
        : {}),
      rows,
    };
    console.error(`overhead ${name}: sigstorm ${sigstormMs} ms (minus ${HORIZON_MS} ms horizon) vs raw ${rawMs} ms → ×${results[name].ratio}${arms[1] ? `; before: ${beforeMs} ms → ×${results[name].before.ratio}` : ''}`);
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
    ...Object.entries(results)
      .filter(([, r]) => r.before)
      .map(([b, r]) => `\nBefore (${r.before.dist}, the same rounds): ${b} minus horizon ${r.before.sigstormMinusHorizonMs} ms, ratio ${r.before.ratio}, paired ${r.before.pairedRatioMedian}; phases ${Object.entries(r.before.sigstormPhasesMs).map(([k, v]) => `${k} ${v}`).join(', ')}.`),
  ].join('\n');
  return { json: { scenario: SCENARIO, horizonMs: HORIZON_MS, ...results }, markdown };
}
