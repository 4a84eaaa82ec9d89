// Part 8 — the cost of a rollout trial against the same rollout done by hand, alternated in one run. The sigstorm side
// is one trial of scenarios/rollout-endpoint-lag-fixed.yml through HAProxy (2 replicas of the zoo's Go service,
// maxSurge 1, maxUnavailable 0, readiness every 200 ms, a 1 s endpoint lag, a 2 s preStop sleep, SIGTERM), judged.
// The by-hand side is what a person scripts for it with node:child_process, node:http and HAProxy's runtime API, no
// sigstorm code: start 2 servers and HAProxy over them, then per old replica start a new one, poll it ready, put it in
// rotation, and begin the old one's stop beside the next (out of rotation after the lag, SIGTERM after the preStop
// sleep, its exit awaited). No traffic on either side (the by-hand script sends none): what is compared is the
// rollout's mechanics and sigstorm's recording and judging.
// With --backend docker both sides run containers of the image sigstorm built for the scenario: the script with the
// docker CLI (`docker run -d -p 127.0.0.1::8080`, `docker kill --signal SIGTERM`, `docker wait`, `docker rm -f`).
// Usage: npm run bench -- --only rollout [--quick] [--n 6] [--backend process|docker]
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadScenario, run } from '../dist/index.js';
import { elapsed, freePort, median, pollReady, round, sleep, table } from './lib.mjs';

const SCENARIO = 'scenarios/rollout-endpoint-lag-fixed.yml';
const SERVER = resolve('targets/go/server');

/** One command on HAProxy's runtime API. */
const haproxyCommand = (socket, text) =>
  new Promise((done, fail) => {
    const c = connect(socket);
    let answer = '';
    c.on('connect', () => c.end(`${text}\n`));
    c.on('data', (d) => (answer += d));
    c.on('end', () => done(answer.trim()));
    c.on('error', fail);
  });

async function startLocal() {
  const port = await freePort();
  const child = spawn(SERVER, [], { env: { ...process.env, PORT: String(port), ZOO_MODE: 'graceful' }, stdio: 'ignore' });
  const exited = new Promise((r) => child.once('exit', r));
  await pollReady(port);
  return { port, child, exited };
}

/** The docker CLI: what it printed. */
const docker = (...args) => new Promise((done, fail) => execFile('docker', args, (error, stdout) => (error ? fail(error) : done(stdout.trim()))));

/** A container of `image` published on loopback, shaped like startServer's child (kill, exit) for the script below. */
async function startContainer(image) {
  const id = await docker('run', '-d', '-p', '127.0.0.1::8080', '-e', 'ZOO_MODE=graceful', image);
  const port = Number((await docker('port', id, '8080/tcp')).split('\n')[0].split(':').pop());
  await pollReady(port);
  const exited = docker('wait', id);
  const gone = exited.then(() => docker('rm', '-f', id));
  const child = { kill: (signal) => (signal === 'SIGKILL' ? docker('rm', '-f', id) : docker('kill', '--signal', signal, id)).catch(() => undefined) };
  return { port, child, exited: gone.catch(() => undefined) };
}

/** The rollout as a person scripts it. */
async function byHand({ replicas, lagMs, preStopMs, image }) {
  const startServer = image ? () => startContainer(image) : startLocal;
  const t0 = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'sigstorm-bench-rollout-'));
  const socket = join(dir, 'admin.sock');
  const olds = [];
  for (let i = 0; i < replicas; i++) olds.push(await startServer());
  const port = await freePort();
  const slots = Array.from({ length: 2 * replicas }, (_, i) => `  server s${i} 127.0.0.1:${olds[i]?.port ?? 1}${olds[i] ? '' : ' disabled'}`);
  const cfg = ['global', `  stats socket ${socket} level admin`, 'defaults', '  mode tcp', '  retries 0', '  timeout connect 2s', '  timeout client 60s', '  timeout server 60s'];
  writeFileSync(join(dir, 'haproxy.cfg'), [...cfg, 'frontend fe', `  bind 127.0.0.1:${port}`, '  default_backend be', 'backend be', '  balance roundrobin', ...slots, ''].join('\n'));
  const haproxy = spawn('haproxy', ['-db', '-f', join(dir, 'haproxy.cfg')], { stdio: 'ignore' });
  for (let up = false; !up; await sleep(20)) up = await haproxyCommand(socket, 'show info').then(() => true, () => false);
  const news = [];
  const stops = [];
  try {
    // As the Deployment controller does with maxSurge 1, maxUnavailable 0: a new replica up and in rotation, then the
    // old one's stop begins (its lag and preStop run on while the next new one starts).
    for (let i = 0; i < replicas; i++) {
      const fresh = await startServer();
      news.push(fresh);
      await haproxyCommand(socket, `set server be/s${replicas + i} addr 127.0.0.1 port ${fresh.port}`);
      await haproxyCommand(socket, `set server be/s${replicas + i} state ready`);
      const old = olds[i];
      const removed = sleep(lagMs).then(() => haproxyCommand(socket, `set server be/s${i} state maint`));
      const signalled = sleep(preStopMs).then(() => old.child.kill('SIGTERM'));
      stops.push(Promise.all([removed, signalled, old.exited]));
    }
    await Promise.all(stops);
  } finally {
    for (const s of [...olds, ...news]) s.child.kill('SIGKILL');
    haproxy.kill('SIGKILL');
    await Promise.all([...olds, ...news].map((s) => s.exited));
    rmSync(dir, { recursive: true, force: true });
  }
  return { totalMs: elapsed(t0) };
}

async function sigstormTrial(scenario, reportDir, backend) {
  const t0 = performance.now();
  const { report } = await run(scenario, { backend, reportDir });
  if (report.verdict !== 'pass') throw new Error(`the twin must pass: ${report.failures.map((f) => f.message).join('; ')}`);
  const rollout = report.trial.rollout;
  return { totalMs: elapsed(t0), rolloutMs: rollout.endedMs - rollout.beganMs, image: rollout.replicas[0]?.image };
}

const summarise = (rows, pick) => ({ median: round(median(rows.map(pick))), min: round(Math.min(...rows.map(pick))), max: round(Math.max(...rows.map(pick))) });

export async function rollout({ quick = false, n, backend = 'process' } = {}) {
  const N = n ?? (quick ? 2 : 6);
  const loaded = await loadScenario(SCENARIO);
  // No traffic, so no lead time before the rollout either (the scenario's `at`); its readiness period (200 ms, the
  // probe Kubernetes would run) stays: the by-hand script polls every 5–25 ms, as people do.
  const scenario = { ...loaded, workload: { ...loaded.workload, requests: [] }, rollout: { ...loaded.rollout, balancer: 'haproxy', atMs: 0 } };
  const plan = { replicas: scenario.rollout.replicas, lagMs: scenario.rollout.endpointLag.maxMs, preStopMs: scenario.stop.preStop.sleepMs };
  const reportDir = mkdtempSync(join(tmpdir(), 'sigstorm-bench-rollout-reports-'));
  const { image } = await sigstormTrial(scenario, reportDir, backend); // warm-up: the build step, modules, page cache
  if (backend === 'docker') plan.image = image;
  await byHand(plan);
  const rows = { sigstorm: [], byHand: [] };
  for (let i = 1; i <= N; i++) {
    // Alternate which goes first, so drift in the machine's load hits both alike.
    if (i % 2) rows.byHand.push(await byHand(plan));
    rows.sigstorm.push(await sigstormTrial(scenario, reportDir, backend));
    if (!(i % 2)) rows.byHand.push(await byHand(plan));
    console.error(`rollout ${i}/${N}: sigstorm ${round(rows.sigstorm.at(-1).totalMs)} ms, by hand ${round(rows.byHand.at(-1).totalMs)} ms`);
  }
  rmSync(reportDir, { recursive: true, force: true });
  const sigstormMs = summarise(rows.sigstorm, (r) => r.totalMs);
  const byHandMs = summarise(rows.byHand, (r) => r.totalMs);
  const json = { scenario: SCENARIO, backend, balancer: 'haproxy', plan, trials: N, sigstormTrialMs: sigstormMs, rolloutMs: summarise(rows.sigstorm, (r) => r.rolloutMs), byHandMs, ratio: round(sigstormMs.median / byHandMs.median, 2) };
  const markdown = [
    `### Rollout trial against the same rollout by hand (${N} alternated, ${backend} backend, HAProxy)`,
    '',
    table(['', 'median ms', 'min', 'max'], [
      ['sigstorm trial (judged)', sigstormMs.median, sigstormMs.min, sigstormMs.max],
      ['by hand', byHandMs.median, byHandMs.min, byHandMs.max],
    ]),
    '',
    `Ratio of medians: ${json.ratio}. Both sides: ${plan.replicas} replicas, ${plan.lagMs} ms endpoint lag, ${plan.preStopMs} ms preStop, no traffic; ` +
      'sigstorm probes a new replica every 200 ms (the scenario\'s readiness period), the script every 5–25 ms.',
  ].join('\n');
  return { json, markdown };
}
