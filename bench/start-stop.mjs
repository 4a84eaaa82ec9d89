// Start-to-ready and stop times of a zoo target: sigstorm's docker trial vs raw `docker run` + `docker stop`,
// measured alternately in the same run. Writes reports/bench-start-stop.json. Usage: npm run bench:start-stop [-- N]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { run } from '../dist/index.js';

const N = Number(process.argv[2] ?? 10);
const SCENARIO = 'scenarios/unread-notify-fixed.yml';
const reportDir = mkdtempSync(join(tmpdir(), 'sigstorm-bench-'));
const docker = (...args) => execFileSync('docker', args, { encoding: 'utf8' }).trim();

const healthy = (port) =>
  new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthz', agent: false, timeout: 500 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });

async function raw(image) {
  const t0 = performance.now();
  const id = docker('run', '-d', '-e', 'ZOO_MODE=graceful', '-p', '127.0.0.1::8080', image);
  const port = Number(docker('port', id, '8080/tcp').split(':').pop());
  while (!(await healthy(port))) await new Promise((r) => setTimeout(r, 25));
  const ready = performance.now();
  docker('stop', '-t', '3', id);
  const stopped = performance.now();
  docker('rm', id);
  return { startToReadyMs: ready - t0, stopMs: stopped - ready, totalMs: performance.now() - t0 };
}

async function sigstorm() {
  const t0 = performance.now();
  const { report } = await run(SCENARIO, { backend: 'docker', reportDir });
  const total = performance.now() - t0;
  const trial = report.trial;
  if (report.verdict !== 'pass') throw new Error(`unexpected verdict ${report.verdict}`);
  return { startToReadyMs: trial.spawnToReadyMs, stopMs: trial.exit.atMs - trial.events[0].deliveredMs, totalMs: total, image: trial.target.image };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const { image } = await sigstorm(); // warm-up: builds the image once
const rows = { raw: [], sigstorm: [] };
for (let i = 0; i < N; i++) {
  rows.raw.push(await raw(image));
  rows.sigstorm.push(await sigstorm());
}
const summary = {};
for (const [name, list] of Object.entries(rows)) {
  summary[name] = Object.fromEntries(['startToReadyMs', 'stopMs', 'totalMs'].map((k) => [k, Math.round(median(list.map((r) => r[k])))]));
}
summary.ratio = Object.fromEntries(Object.keys(summary.raw).map((k) => [k, +(summary.sigstorm[k] / summary.raw[k]).toFixed(2)]));
mkdirSync('reports', { recursive: true });
writeFileSync('reports/bench-start-stop.json', `${JSON.stringify({ scenario: SCENARIO, image, trials: N, median: summary, rows }, null, 2)}\n`);
console.table(summary);
