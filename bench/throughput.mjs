// Part 2 — throughput: trials per minute of one zoo scenario on this machine, at the parallelism sigstorm picks by
// default and at --parallel 1..4, and sigstorm's peak RSS. Each setting runs in a fresh Node process (this file
// with --child) that replays a fixed schedule `times` times through the library's `replay` — the same loop as a
// campaign's confirmation and `sigstorm replay --parallel` — and reports its own maxRSS. The settings are run in
// rounds, in alternating order, and the medians kept.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BENCH_LABEL, dockerAsync, median, pollReady, round, sleep, table } from './lib.mjs';

const SCENARIO = 'scenarios/return-on-close-fixed.yml'; // traffic (/slow and keep-alive /healthz) and SIGTERM at +700 ms
const SETTINGS = ['default', 1, 2, 3, 4];

if (process.argv[2] === '--child') {
  const [, , , file, backend, times, parallel] = process.argv;
  const { loadScenario, replay } = await import('../dist/index.js');
  const { selectBackend } = await import('../dist/backends/select.js');
  const { defaultParallelism } = await import('../dist/fuzz/campaign.js');
  const scenario = await loadScenario(SCENARIO);
  await (await selectBackend(backend, scenario)).prepare(scenario.target); // build step and image check outside the timing
  const { ensureImage } = await import('../dist/backends/docker/image.js');
  const image = backend === 'docker' ? await ensureImage(scenario.target.container) : undefined;
  const t0 = performance.now();
  const result = await replay(file, { backend, times: Number(times), ...(parallel === 'default' ? {} : { parallel: Number(parallel) }) });
  const ms = performance.now() - t0;
  const chosen = parallel === 'default' ? defaultParallelism() : Number(parallel);
  process.stdout.write(JSON.stringify({ ms, runs: result.reproduction.runs, failed: result.reproduction.failed, parallel: chosen, maxRssMB: process.resourceUsage().maxRSS / 1024, image }));
  process.exit(0);
}

/**
 * The container runtime's own pace for the same shape of trial, without sigstorm: `parallel` loops of `docker run`,
 * readiness poll, 700 ms wait (no traffic, so its shutdown drains nothing), `docker stop`, `docker rm`.
 */
async function rawDocker(image, times, parallel) {
  const one = async () => {
    const id = await dockerAsync('run', '-d', '--label', BENCH_LABEL, '-e', 'ZOO_MODE=graceful', '-p', '127.0.0.1::8080', image);
    const port = Number((await dockerAsync('port', id, '8080/tcp')).split(':').pop());
    await pollReady(port);
    await sleep(700);
    await dockerAsync('stop', '-t', '3', id);
    await dockerAsync('rm', id);
  };
  const t0 = performance.now();
  for (let done = 0; done < times; done += parallel) await Promise.all(Array.from({ length: Math.min(parallel, times - done) }, one));
  const ms = performance.now() - t0;
  return { ms, runs: times, parallel, trialsPerMinute: (times / ms) * 60_000 };
}

const child = (file, backend, times, parallel) =>
  new Promise((resolve, reject) =>
    execFile(process.execPath, [new URL(import.meta.url).pathname, '--child', file, backend, String(times), String(parallel)], { encoding: 'utf8', maxBuffer: 1 << 20 }, (error, stdout, stderr) =>
      error ? reject(new Error(`throughput child ${backend} ×${parallel}: ${stderr || error.message}`)) : resolve(JSON.parse(stdout)),
    ),
  );

export async function throughput({ quick = false, times, rounds, backends } = {}) {
  const TIMES = times ?? 12; // a multiple of 1..4: replay runs in batches of `parallel`
  const ROUNDS = rounds ?? (quick ? 1 : 2);
  const dir = mkdtempSync(join(tmpdir(), 'sigstorm-bench-throughput-'));
  const file = join(dir, 'schedule.json');
  writeFileSync(file, JSON.stringify({ scenario: SCENARIO, events: [{ at: 700, signal: 'SIGTERM' }] }));
  const results = {};
  for (const backend of backends ? String(backends).split(',') : quick ? ['docker'] : ['docker', 'process']) {
    const rows = Object.fromEntries(SETTINGS.map((s) => [s, []]));
    const raw = Object.fromEntries(SETTINGS.map((s) => [s, []]));
    for (let pass = 0; pass < ROUNDS; pass++) {
      for (const s of pass % 2 ? [...SETTINGS].reverse() : SETTINGS) {
        const r = await child(file, backend, TIMES, s);
        if (r.failed) throw new Error(`${SCENARIO} failed ${r.failed}/${r.runs} on ${backend}: the throughput scenario must pass`);
        rows[s].push({ ...r, trialsPerMinute: (r.runs / r.ms) * 60_000 });
        if (backend === 'docker' && s !== 'default') raw[s].push(await rawDocker(r.image, TIMES, s));
        console.error(`throughput ${backend} parallel ${s}: ${round(rows[s].at(-1).trialsPerMinute, 1)} trials/min, maxRSS ${round(r.maxRssMB)} MB`);
      }
    }
    const summary = Object.fromEntries(
      SETTINGS.map((s) => [
        s,
        {
          parallel: rows[s][0].parallel,
          trialsPerMinute: round(median(rows[s].map((r) => r.trialsPerMinute)), 1),
          msPerTrial: round(median(rows[s].map((r) => r.ms / r.runs))),
          peakRssMB: round(Math.max(...rows[s].map((r) => r.maxRssMB))),
          rawTrialsPerMinute: raw[s].length ? round(median(raw[s].map((r) => r.trialsPerMinute)), 1) : null,
        },
      ]),
    );
    const best = SETTINGS.filter((s) => s !== 'default').reduce((a, b) => (summary[b].trialsPerMinute > summary[a].trialsPerMinute ? b : a));
    for (const s of SETTINGS) {
      const r = summary[s];
      r.vsRaw = r.rawTrialsPerMinute ? round(r.trialsPerMinute / r.rawTrialsPerMinute, 2) : null;
    }
    results[backend] = { summary, best, defaultVsBest: round(summary.default.trialsPerMinute / summary[best].trialsPerMinute, 2), rows, raw };
  }
  const markdown = [
    `### Throughput (${SCENARIO}, SIGTERM at +700 ms under traffic; ${TIMES} trials per setting, median of ${ROUNDS} round(s); ${availableParallelism()} cores, shared)`,
    '',
    table(
      ['backend', 'parallel', 'trials/min', 'ms/trial', 'peak RSS (MB)', 'raw docker runs/min', 'sigstorm ÷ raw'],
      Object.entries(results).flatMap(([b, r]) =>
        SETTINGS.map((s) => [b, s === 'default' ? `default (${r.summary[s].parallel})` : s === r.best ? `**${s}** (best)` : s, r.summary[s].trialsPerMinute, r.summary[s].msPerTrial, r.summary[s].peakRssMB, r.summary[s].rawTrialsPerMinute, r.summary[s].vsRaw]),
      ),
    ),
    '',
    'Raw docker runs/min: the same image with `docker run -d`, readiness poll, 700 ms wait without traffic, `docker stop`, `docker rm`, as many at once — the runtime\'s own pace for this shape of trial (its shutdown drains no requests, so it favours raw).',
    Object.entries(results)
      .map(([b, r]) => `${b}: default gives ×${r.defaultVsBest} of the best setting (${r.best}).`)
      .join(' '),
  ].join('\n');
  return { json: { scenario: SCENARIO, times: TIMES, rounds: ROUNDS, ...results }, markdown };
}
