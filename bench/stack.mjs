// Part 6 — overhead of a two-service stack trial on the docker backend. One sigstorm trial of
// scenarios/stack-graceful.yml (the Redis-backed API of targets/stack, and Redis from targets/redis as its
// dependency), schedule SIGTERM at +100 ms, against what a person would type for the same stack, alternated in one run:
//   docker network create; docker run -d Redis on it (alias redis, 6379 published on loopback); redis-cli ping until
//   PONG; docker run -d the API on it (ZOO_MODE=graceful, REDIS_ADDR=redis:6379, 8080 on loopback); GET /healthz
//   until 200; docker stop the API (exit code must be 0); docker stop Redis; docker rm both; docker network rm.
// Same images (the tags sigstorm built), no traffic on either side: the scenario's workload is dropped, since the
// by-hand side sends none (drain and read-back would otherwise be measured on one side only).
// Phases of both; the sigstorm side is also timed from a thin wrapper around the backend (network, each start, each
// removal), which only reads the clock around the backend's own calls.
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { loadScenario, parseSchedule, judge } from '../dist/index.js';
import { selectBackend } from '../dist/backends/select.js';
import { runTrial } from '../dist/trial/trial.js';
import { monotonicOffsetMs } from '../dist/time.js';
import { BENCH_LABEL, docker, elapsed, median, pollReady, round, sleep, table } from './lib.mjs';

const SCENARIO = 'scenarios/stack-graceful.yml';
const HORIZON_MS = 100;

/** The backend, with the clock read around its calls: where the time before spawn and after exit goes. */
function timedBackend(backend) {
  let marks = {};
  const mark = (key, ms) => (marks[key] = (marks[key] ?? 0) + ms);
  const timedDispose = (resource, key) => {
    const dispose = resource[Symbol.asyncDispose];
    resource[Symbol.asyncDispose] = async () => {
      const t = performance.now();
      marks[`${key.replace(/Ms$/, '')}StartAt`] ??= t;
      try {
        return await dispose.call(resource);
      } finally {
        mark(key, elapsed(t));
        marks[`${key.replace(/Ms$/, '')}EndAt`] = performance.now();
      }
    };
    return resource;
  };
  return {
    reset: () => (marks = {}),
    marks: () => marks,
    backend: {
      name: backend.name,
      prepare: (t) => backend.prepare(t),
      async network(context) {
        const t = performance.now();
        const network = await backend.network(context);
        mark('networkCreateMs', elapsed(t));
        return timedDispose(network, 'networkRemoveMs');
      },
      async start(target, context) {
        const who = context.dependency ? 'redis' : 'api';
        const t = performance.now();
        const started = await backend.start(target, context);
        mark(`${who}StartMs`, elapsed(t));
        // When the engine reported the exit (its wait returned): the trial waits for that, not for the host pid.
        started.exited.then(() => (marks[`${who}ExitReportedAt`] ??= performance.now()), () => undefined);
        return timedDispose(started, `${who}RemoveMs`);
      },
    },
  };
}

async function sigstormTrial(scenario, timed, i) {
  const schedule = parseSchedule([{ at: HORIZON_MS, signal: 'SIGTERM' }], 'bench');
  timed.reset();
  const t0 = performance.now();
  const record = await runTrial({ scenario, backend: timed.backend, schedule, runId: `bench-stack-${process.pid}-${i}` });
  const { verdict, results } = judge(record);
  const total = elapsed(t0);
  if (verdict !== 'pass') {
    const failed = (results ?? []).filter((r) => r.verdict !== 'pass').map((r) => `${r.oracle}: ${r.message ?? r.verdict}`);
    throw new Error(`stack trial ${i}: verdict ${verdict}${failed.length ? ` (${failed.join('; ')})` : ''}`);
  }
  if (record.exit.status !== 0) throw new Error(`stack trial ${i}: the API exited ${record.exit.status}`);
  const readyAt = record.readyMonotonicMs - monotonicOffsetMs() - t0;
  const spawnedAt = readyAt - record.spawnToReadyMs;
  const exitAt = readyAt + record.exit.atMs;
  const redisReadyAt = readyAt + record.dependencies[0].readyMs;
  const m = timed.marks();
  return {
    totalMs: total,
    minusHorizonMs: total - HORIZON_MS,
    phases: { beforeSpawnMs: spawnedAt, spawnToReadyMs: record.spawnToReadyMs, readyToExitMs: record.exit.atMs, exitToDoneMs: total - exitAt },
    // Where "before spawn" and "exit → done" go, from the backend wrapper and the record.
    detail: {
      networkCreateMs: m.networkCreateMs,
      redisStartMs: m.redisStartMs, // container create + start + inspect (testcontainers, dockerode)
      redisStartToReadyMs: redisReadyAt - (m.networkCreateMs ?? 0) - (m.redisStartMs ?? 0),
      redisReadyToApiSpawnMs: spawnedAt - redisReadyAt,
      apiStartMs: m.apiStartMs, // part of spawn → ready: the container is created and started within it
      apiStartedToReadyMs: record.spawnToReadyMs - (m.apiStartMs ?? 0),
      // exit → done: the engine's report of the exit (the exit itself is seen on the host pid) and the trial's own
      // bookkeeping until the stack is taken down, the removals, then judging and the data directory.
      exitToEngineReportMs: m.apiExitReportedAt - t0 - exitAt,
      engineReportToTeardownMs: m.apiRemoveStartAt - m.apiExitReportedAt,
      apiRemoveMs: m.apiRemoveMs,
      redisRemoveMs: m.redisRemoveMs, // still running: removed with force (SIGKILL)
      networkRemoveMs: m.networkRemoveMs,
      teardownToDoneMs: total - (m.networkRemoveEndAt - t0),
    },
    images: { api: record.target.image, redis: record.dependencies[0].image },
  };
}

const execAsync = (file, args) =>
  new Promise((resolve) => execFile(file, args, { encoding: 'utf8' }, (error, stdout) => resolve({ ok: !error, stdout: String(stdout).trim() })));

/** `redis-cli -h 127.0.0.1 -p <port> ping` every 25 ms until PONG. */
async function pollRedis(port, { everyMs = 25, timeoutMs = 10_000 } = {}) {
  const t0 = performance.now();
  for (;;) {
    const r = await execAsync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'ping']);
    if (r.ok && r.stdout === 'PONG') return;
    if (elapsed(t0) > timeoutMs) throw new Error(`Redis not ready on port ${port} within ${timeoutMs} ms (${r.stdout})`);
    await sleep(everyMs);
  }
}

/** The stack by hand, with plain docker CLI calls. */
async function byHand(images, i) {
  const net = `sigstorm-bench-stack-${process.pid}-${i}`;
  const ids = [];
  let netMade = false;
  const t0 = performance.now();
  try {
    docker('network', 'create', '--label', BENCH_LABEL, net);
    netMade = true;
    const network = elapsed(t0);

    const redis = docker('run', '-d', '--label', BENCH_LABEL, '--network', net, '--network-alias', 'redis', '-p', '127.0.0.1::6379', images.redis);
    ids.push(redis);
    await pollRedis(Number(docker('port', redis, '6379/tcp').split(':').pop()));
    const redisReady = elapsed(t0);

    const api = docker('run', '-d', '--label', BENCH_LABEL, '--network', net, '-e', 'ZOO_MODE=graceful', '-e', 'REDIS_ADDR=redis:6379', '-p', '127.0.0.1::8080', images.api);
    ids.unshift(api);
    await pollReady(Number(docker('port', api, '8080/tcp').split(':').pop()));
    const apiReady = elapsed(t0);

    docker('stop', '-t', '5', api); // compose's stop_grace_period for the service
    const code = docker('inspect', '--format', '{{.State.ExitCode}}', api);
    if (code !== '0') throw new Error(`by hand ${i}: the API exited ${code}`);
    const apiStopped = elapsed(t0);
    docker('stop', redis);
    const redisStopped = elapsed(t0);
    docker('rm', api, redis);
    ids.length = 0;
    const removed = elapsed(t0);
    docker('network', 'rm', net);
    netMade = false;
    const total = elapsed(t0);
    return {
      totalMs: total,
      phases: { networkMs: network, redisUpReadyMs: redisReady - network, apiUpReadyMs: apiReady - redisReady, stopRmMs: total - apiReady },
      detail: { apiStopMs: apiStopped - apiReady, redisStopMs: redisStopped - apiStopped, rmBothMs: removed - redisStopped, networkRmMs: total - removed },
    };
  } finally {
    // Only after a failure: whatever this round left.
    if (ids.length) docker('rm', '-f', ...ids);
    if (netMade) docker('network', 'rm', net);
  }
}

const summarise = (rows, key) => round(median(rows.map(key)), 1);
const medians = (rows, field) => Object.fromEntries(Object.keys(rows[0][field]).map((k) => [k, summarise(rows, (r) => r[field][k])]));
const list = (o) => Object.entries(o).map(([k, v]) => `${k} ${v}`).join(', ');

export async function stack({ quick = false, n } = {}) {
  const N = n ?? (quick ? 4 : 10);
  const loaded = await loadScenario(SCENARIO);
  // No traffic: the by-hand side sends none. Everything else (stack, readiness, expectations) as written.
  const scenario = { ...loaded, workload: { ...loaded.workload, requests: [], streams: [], writes: undefined } };
  const backend = await selectBackend('docker', scenario);
  for (const s of [...scenario.dependencies, scenario.target]) await backend.prepare(s); // images built here, untimed
  const timed = timedBackend(backend);
  const warm = await sigstormTrial(scenario, timed, 0); // warm-up: engine client, modules, page cache
  await byHand(warm.images, 0);

  const rows = { sigstorm: [], byHand: [] };
  for (let i = 1; i <= N; i++) {
    // Alternate which goes first, so drift in the machine's load hits both alike.
    if (i % 2) rows.byHand.push(await byHand(warm.images, i));
    rows.sigstorm.push(await sigstormTrial(scenario, timed, i));
    if (!(i % 2)) rows.byHand.push(await byHand(warm.images, i));
    console.error(`stack ${i}/${N}: sigstorm ${round(rows.sigstorm.at(-1).totalMs)} ms, by hand ${round(rows.byHand.at(-1).totalMs)} ms`);
  }

  const sigstormMs = summarise(rows.sigstorm, (r) => r.totalMs);
  const minusHorizonMs = summarise(rows.sigstorm, (r) => r.minusHorizonMs);
  const byHandMs = summarise(rows.byHand, (r) => r.totalMs);
  const result = {
    scenario: SCENARIO,
    backend: 'docker',
    schedule: `SIGTERM at +${HORIZON_MS} ms`,
    workload: 'dropped (the scenario declares /slow and /write traffic; the by-hand side sends none)',
    images: warm.images,
    trials: N,
    sigstormTrialMs: sigstormMs,
    sigstormMinusHorizonMs: minusHorizonMs,
    byHandMs,
    ratio: round(sigstormMs / byHandMs, 2),
    ratioMinusHorizon: round(minusHorizonMs / byHandMs, 2),
    // Each trial against the by-hand run next to it: less sensitive to drift in the machine's load.
    pairedRatioMedian: round(median(rows.sigstorm.map((s, i) => s.totalMs / rows.byHand[i].totalMs)), 2),
    sigstormPhasesMs: medians(rows.sigstorm, 'phases'),
    sigstormDetailMs: medians(rows.sigstorm, 'detail'),
    byHandPhasesMs: medians(rows.byHand, 'phases'),
    byHandDetailMs: medians(rows.byHand, 'detail'),
    rows,
  };
  console.error(`stack: sigstorm ${sigstormMs} ms (${minusHorizonMs} minus the ${HORIZON_MS} ms horizon) vs by hand ${byHandMs} ms → ×${result.ratio} (×${result.ratioMinusHorizon} minus horizon)`);

  const markdown = [
    `### Stack trial overhead (${SCENARIO}: the API of targets/stack and its Redis, docker backend; SIGTERM at +${HORIZON_MS} ms, no traffic; medians of ${N} alternated pairs)`,
    '',
    `One sigstorm trial of the two-service stack (network, Redis started and ready on its log line, the API started and ready on /healthz, SIGTERM, exit 0, both removed, judged) against what a person would type for the same images: \`docker network create\`, \`docker run -d\` Redis on it, \`redis-cli ping\` until PONG, \`docker run -d\` the API, GET /healthz until 200, \`docker stop\` the API (exit code 0 checked), \`docker stop\` Redis, \`docker rm\` both, \`docker network rm\`. The scenario's workload was dropped on the sigstorm side since the by-hand side sends no traffic; images were built before timing and one warm-up pair ran first.`,
    '',
    table(
      ['sigstorm trial (ms)', 'minus horizon (ms)', 'by hand (ms)', 'ratio', 'ratio minus horizon', 'paired ratio'],
      [[sigstormMs, minusHorizonMs, byHandMs, result.ratio, result.ratioMinusHorizon, result.pairedRatioMedian]],
    ),
    '',
    `Phases (median ms). sigstorm: ${list(result.sigstormPhasesMs)}; in detail ${list(result.sigstormDetailMs)}. By hand: ${list(result.byHandPhasesMs)}; in detail ${list(result.byHandDetailMs)}.`,
  ].join('\n');
  return { json: result, markdown };
}
