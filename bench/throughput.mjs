// Part 2 — throughput: trials per minute of one zoo scenario on this machine, at the parallelism sigstorm picks by
// default and at --parallel 1..4 (or the `--parallel 1,2,…,6` given), and sigstorm's peak RSS. Each setting runs in
// a fresh Node process (this file with --child) that replays a fixed schedule `times` times through the library —
// the loop of `sigstorm replay --parallel` and of a campaign's confirmation (confirm over one trial function) — and
// reports its own maxRSS and, on docker, each trial's phases. Against it, at the same parallelism and alternated in
// the same round, the runtime's own pace for the same shape of trial: `docker run`, readiness poll, the same traffic,
// 700 ms, `docker stop`, `docker rm` (and once more without traffic, the floor earlier runs compared with).
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BENCH_LABEL, dockerAsync, median, openLoopTraffic, pollReady, round, sleep, table } from './lib.mjs';

const SCENARIO = 'scenarios/return-on-close-fixed.yml'; // traffic (/slow and keep-alive /healthz) and SIGTERM at +700 ms
// The scenario's `workload.requests`, for the raw floor to send the same.
const TRAFFIC = [
  { path: '/slow', rate: 40, concurrency: 8 },
  { path: '/healthz', rate: 20, concurrency: 2 },
];
// BENCH_DIST=<old checkout>/dist/index.js measures an older build (a before/after in one run).
const DIST = process.env.BENCH_DIST ? dirname(resolve(process.env.BENCH_DIST)) : new URL('../dist', import.meta.url).pathname;

if (process.argv[2] === '--child') {
  const [, , , file, backend, times, parallel] = process.argv;
  const phases = backend === 'docker' ? await enginePhases() : undefined;
  const { openScenario, prepare } = await import(`${DIST}/session/open.js`);
  const { trialFunction } = await import(`${DIST}/session/trial.js`);
  const { confirm } = await import(`${DIST}/fuzz/confirm.js`);
  const { defaultParallelism } = await import(`${DIST}/fuzz/parallelism.js`);
  const { parseSchedule } = await import(`${DIST}/index.js`);
  const session = await openScenario(SCENARIO, backend);
  await prepare(session); // build step and image check outside the timing
  const chosen = parallel === 'default' ? defaultParallelism() : Number(parallel);
  const trial = trialFunction(session, `bench-${process.pid}`);
  const rows = [];
  const failures = [];
  const timed = async (schedule) => {
    const t0 = performance.now();
    const outcome = await trial(schedule);
    if (outcome.record) rows.push(phases?.of(outcome.record, t0, performance.now()));
    if (outcome.kind !== 'pass') failures.push(outcome.signatures?.join(', ') ?? outcome.error);
    return outcome;
  };
  const schedule = parseSchedule([{ at: 700, signal: 'SIGTERM' }], 'bench');
  const t0 = performance.now();
  const result = await confirm(timed, schedule, undefined, Number(times), chosen);
  const ms = performance.now() - t0;
  process.stdout.write(
    JSON.stringify({ ms, runs: result.runs, failed: result.failed, parallel: chosen, maxRssMB: process.resourceUsage().maxRSS / 1024, image: result.passing?.target.image, failures, phases: rows.filter(Boolean) }),
  );
  process.exit(0);
}

/**
 * Times each Docker engine call of a trial (dockerode, under testcontainers) by container, and splits a trial into
 * phases with its record: setup, create, start, to ready, schedule, drain, engine's exit report, removal, the rest.
 */
async function enginePhases() {
  const { default: Docker } = await import('dockerode/lib/docker.js');
  const { default: Container } = await import('dockerode/lib/container.js');
  const { monotonicOffsetMs } = await import(`${DIST}/time.js`);
  const calls = new Map(); // container id → { call: [start, end] } (the last call of each kind)
  const note = (id, call, t0) => (calls.get(id) ?? calls.set(id, {}).get(id))[call] = [t0, performance.now()];
  const createContainer = Docker.prototype.createContainer;
  Docker.prototype.createContainer = async function (...args) {
    const t0 = performance.now();
    const container = await createContainer.apply(this, args);
    note(container.id, 'create', t0);
    return container;
  };
  for (const call of ['start', 'wait', 'remove']) {
    const original = Container.prototype[call];
    Container.prototype[call] = async function (...args) {
      const t0 = performance.now();
      try {
        return await original.apply(this, args);
      } finally {
        note(this.id, call, t0);
      }
    };
  }
  return {
    of(record, t0, t1) {
      const c = calls.get(record.target.id);
      if (!c?.create || !c.start || !c.wait || !c.remove) return undefined;
      calls.delete(record.target.id);
      const ready = record.readyMonotonicMs - monotonicOffsetMs();
      const signal = ready + (record.events.find((e) => e.origin === 'schedule')?.deliveredMs ?? NaN);
      const exit = ready + record.exit.atMs;
      return {
        setup: c.create[0] - t0,
        create: c.create[1] - c.create[0],
        start: c.start[1] - c.start[0],
        toReady: ready - c.start[1],
        schedule: signal - ready,
        drain: exit - signal,
        exitReported: c.wait[1] - exit,
        remove: c.remove[1] - Math.max(c.wait[1], c.remove[0]),
        rest: t1 - c.remove[1],
        total: t1 - t0,
      };
    },
  };
}

/**
 * The container runtime's own pace for the same shape of trial, without sigstorm: `parallel` loops of `docker run`,
 * readiness poll, 700 ms (with the scenario's traffic, or none), `docker stop` (which waits for the drain), `docker rm`.
 */
async function rawDocker(image, times, parallel, traffic) {
  const phases = [];
  const one = async () => {
    const t0 = performance.now();
    const id = await dockerAsync('run', '-d', '--label', BENCH_LABEL, '-e', 'ZOO_MODE=graceful', '-p', '127.0.0.1::8080', image);
    const ran = performance.now();
    const port = Number((await dockerAsync('port', id, '8080/tcp')).split(':').pop());
    const ported = performance.now();
    await pollReady(port);
    const ready = performance.now();
    const load = traffic ? openLoopTraffic(port, TRAFFIC) : undefined;
    await sleep(700);
    const stopping = performance.now();
    await dockerAsync('stop', '-t', '3', id);
    const stopped = performance.now();
    await load?.stop();
    await dockerAsync('rm', id);
    const t1 = performance.now();
    phases.push({ run: ran - t0, port: ported - ran, toReady: ready - ported, schedule: stopping - ready, stop: stopped - stopping, remove: t1 - stopped, total: t1 - t0 });
  };
  const t0 = performance.now();
  for (let done = 0; done < times; done += parallel) await Promise.all(Array.from({ length: Math.min(parallel, times - done) }, one));
  const ms = performance.now() - t0;
  return { ms, runs: times, parallel, trialsPerMinute: (times / ms) * 60_000, phases };
}

const child = (file, backend, times, parallel) =>
  new Promise((resolve, reject) =>
    execFile(process.execPath, [new URL(import.meta.url).pathname, '--child', file, backend, String(times), String(parallel)], { encoding: 'utf8', maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
      error ? reject(new Error(`throughput child ${backend} ×${parallel}: ${stderr || error.message}`)) : resolve(JSON.parse(stdout)),
    ),
  );

/** Median of each phase over every trial of the rows. */
const phaseMedians = (rows) => {
  const all = rows.flatMap((r) => r.phases ?? []);
  return all.length ? Object.fromEntries(Object.keys(all[0]).map((k) => [k, round(median(all.map((p) => p[k])), 1)])) : undefined;
};

export async function throughput({ quick = false, times, rounds, backends, parallel } = {}) {
  const TIMES = times ?? 12; // a multiple of 1..4: replay runs in batches of `parallel`
  const ROUNDS = rounds ?? (quick ? 1 : 2);
  const SETTINGS = ['default', ...(parallel === undefined ? [1, 2, 3, 4] : String(parallel).split(',').map(Number))];
  const dir = mkdtempSync(join(tmpdir(), 'sigstorm-bench-throughput-'));
  const file = join(dir, 'schedule.json');
  writeFileSync(file, JSON.stringify({ scenario: SCENARIO, events: [{ at: 700, signal: 'SIGTERM' }] }));
  const results = {};
  for (const backend of backends ? String(backends).split(',') : quick ? ['docker'] : ['docker', 'process']) {
    const rows = Object.fromEntries(SETTINGS.map((s) => [s, []]));
    const raw = Object.fromEntries(SETTINGS.map((s) => [s, []]));
    const bare = Object.fromEntries(SETTINGS.map((s) => [s, []]));
    for (let pass = 0; pass < ROUNDS; pass++) {
      for (const s of pass % 2 ? [...SETTINGS].reverse() : SETTINGS) {
        const r = await child(file, backend, TIMES, s);
        if (r.failed) throw new Error(`${SCENARIO} failed ${r.failed}/${r.runs} on ${backend} ×${s} (${r.failures.join('; ')}): the throughput scenario must pass`);
        rows[s].push({ ...r, trialsPerMinute: (r.runs / r.ms) * 60_000 });
        if (backend === 'docker' && s !== 'default') {
          raw[s].push(await rawDocker(r.image, TIMES, s, true));
          bare[s].push(await rawDocker(r.image, TIMES, s, false));
        }
        const vs = raw[s].length ? `; raw with traffic ${round(raw[s].at(-1).trialsPerMinute, 1)}, without ${round(bare[s].at(-1).trialsPerMinute, 1)}` : '';
        console.error(`throughput ${backend} parallel ${s}: ${round(rows[s].at(-1).trialsPerMinute, 1)} trials/min${vs}, maxRSS ${round(r.maxRssMB)} MB`);
      }
    }
    const perMinute = (xs) => (xs.length ? round(median(xs.map((r) => r.trialsPerMinute)), 1) : null);
    const summary = Object.fromEntries(
      SETTINGS.map((s) => [
        s,
        {
          parallel: rows[s][0].parallel,
          trialsPerMinute: perMinute(rows[s]),
          msPerTrial: round(median(rows[s].map((r) => r.ms / r.runs))),
          peakRssMB: round(Math.max(...rows[s].map((r) => r.maxRssMB))),
          rawTrialsPerMinute: perMinute(raw[s]),
          // Each round's sigstorm pace over the raw pace measured right after it: less sensitive to drift in load.
          vsRaw: raw[s].length ? round(median(rows[s].map((r, i) => r.trialsPerMinute / raw[s][i].trialsPerMinute)), 2) : null,
          bareTrialsPerMinute: perMinute(bare[s]),
          vsBare: bare[s].length ? round(median(rows[s].map((r, i) => r.trialsPerMinute / bare[s][i].trialsPerMinute)), 2) : null,
          phases: phaseMedians(rows[s]),
          rawPhases: phaseMedians(raw[s]),
        },
      ]),
    );
    const best = SETTINGS.filter((s) => s !== 'default').reduce((a, b) => (summary[b].trialsPerMinute > summary[a].trialsPerMinute ? b : a));
    results[backend] = { summary, best, defaultVsBest: round(summary.default.trialsPerMinute / summary[best].trialsPerMinute, 2), rows, raw, bare };
  }
  const docker = results.docker?.summary;
  const phaseAt = SETTINGS.filter((s) => s !== 'default' && docker?.[s]?.phases);
  const markdown = [
    `### Throughput (${SCENARIO}, SIGTERM at +700 ms under traffic; ${TIMES} trials per setting, median of ${ROUNDS} round(s); ${availableParallelism()} cores, shared)`,
    '',
    table(
      ['backend', 'parallel', 'trials/min', 'ms/trial', 'peak RSS (MB)', 'raw docker, same traffic (runs/min)', 'sigstorm ÷ raw', 'raw, no traffic (runs/min)', 'sigstorm ÷ raw without traffic'],
      Object.entries(results).flatMap(([b, r]) =>
        SETTINGS.map((s) => {
          const x = r.summary[s];
          return [b, s === 'default' ? `default (${x.parallel})` : s === r.best ? `**${s}** (best)` : s, x.trialsPerMinute, x.msPerTrial, x.peakRssMB, x.rawTrialsPerMinute, x.vsRaw, x.bareTrialsPerMinute, x.vsBare];
        }),
      ),
    ),
    '',
    'Raw docker: the same image with `docker run -d`, `docker port`, readiness poll, the scenario\'s traffic (open loops on `node:http`) for 700 ms, `docker stop` (which waits for the drain of the requests in flight, as sigstorm\'s trial does), `docker rm`, as many at once, in batches like sigstorm\'s. Without traffic its shutdown drains nothing: that floor is about half a second per trial quicker than any trial of this shape can be. Ratios are the median of each round\'s ratio (sigstorm, then raw right after).',
    Object.entries(results)
      .map(([b, r]) => `${b}: default gives ×${r.defaultVsBest} of the best setting (${r.best}).`)
      .join(' '),
    ...(phaseAt.length
      ? [
          '',
          `Where a docker trial's time goes (median ms per trial; sigstorm's phases from its engine calls and its record, raw's from the CLI calls):`,
          '',
          table(
            ['phase', ...phaseAt.flatMap((s) => [`sigstorm ×${s}`, `raw ×${s}`])],
            [
              ['setup (data dir, journal) / —', 'setup', null],
              ['create / `docker run`', 'create', 'run'],
              ['start / `docker port`', 'start', 'port'],
              ['to ready (probe)', 'toReady', 'toReady'],
              ['ready → SIGTERM (the schedule)', 'schedule', 'schedule'],
              ['SIGTERM → exit (the drain) / `docker stop`', 'drain', 'stop'],
              ['exit → engine reports it', 'exitReported', null],
              ['remove / `docker rm`', 'remove', 'remove'],
              ['the rest (traffic stop, judging)', 'rest', null],
              ['**total**', 'total', 'total'],
            ].map(([label, mine, theirs]) => [label, ...phaseAt.flatMap((s) => [docker[s].phases?.[mine] ?? null, theirs ? (docker[s].rawPhases?.[theirs] ?? null) : null])]),
          ),
        ]
      : []),
  ].join('\n');
  return { json: { scenario: SCENARIO, times: TIMES, rounds: ROUNDS, ...results }, markdown };
}
