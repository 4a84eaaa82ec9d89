// Part 4 — the baseline users would write by hand, for every zoo bug and twin: start the service (the compose
// service's image, environment, entrypoint and init with plain `docker run`; or the bare process where the zoo has
// no container form), send some traffic and check it was answered, `docker stop` it (SIGTERM, grace period,
// SIGKILL), and check the exit code is 0 or 143. Plain docker CLI, child_process and node:http — no sigstorm code.
// Usage: node bench/baseline.mjs (or npm run bench -- --only baseline)
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { BENCH_LABEL, docker, freePort, get, pollReady, sleep, table } from './lib.mjs';

const REQUESTS = 20;
const CONCURRENCY = 4;
const seconds = (d) => (d === undefined ? 10 : typeof d === 'number' ? d : Number.parseFloat(d) * (String(d).endsWith('ms') ? 0.001 : String(d).endsWith('m') ? 60 : 1));
const envList = (env) => Object.entries(env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]);

/**
 * What the user knows about their service: its GET endpoints (the scenario's request paths), else its health check.
 * Writes are left out: checking that acknowledged writes survive a stop is beyond the test people usually write.
 */
function pathsOf(scenario) {
  const paths = (scenario.workload?.requests ?? []).map((r) => r.path);
  return paths.length ? paths : [scenario.target?.ready?.http ?? '/healthz'];
}

/** Some traffic, all awaited: REQUESTS GETs, CONCURRENCY at a time, over the service's endpoints. */
async function traffic(port, paths) {
  let next = 0;
  const failures = [];
  const worker = async () => {
    while (next < REQUESTS) {
      const path = paths[next++ % paths.length];
      const r = await get(port, path, 5000);
      if (!(r.status >= 200 && r.status < 300)) failures.push(`${path}: ${r.error ?? r.status}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return failures;
}

const images = new Map();
function imageFor(context) {
  if (!images.has(context)) {
    execFileSync('sh', [resolve(context, 'build.sh')], { stdio: 'ignore' });
    const tag = `sigstorm-bench-baseline/${context.split('/').pop()}:latest`;
    docker('build', '-q', '-t', tag, context);
    images.set(context, tag);
  }
  return images.get(context);
}

async function dockerBaseline(service, paths) {
  const image = imageFor(service.build);
  const args = ['run', '-d', '--label', BENCH_LABEL, '-p', '127.0.0.1::8080', ...envList(service.environment)];
  if (service.init) args.push('--init');
  const entry = service.entrypoint ? [].concat(service.entrypoint) : [];
  if (entry.length) args.push('--entrypoint', entry[0]);
  const id = docker(...args, image, ...entry.slice(1));
  try {
    const port = Number(docker('port', id, '8080/tcp').split(':').pop());
    await pollReady(port, '/healthz');
    const failures = await traffic(port, paths);
    docker('stop', '-t', String(seconds(service.stop_grace_period)), id);
    const exitCode = Number(docker('inspect', '-f', '{{.State.ExitCode}}', id));
    return { exitCode, failures };
  } finally {
    docker('rm', '-f', id);
  }
}

async function processBaseline(scenario, file, paths) {
  const form = scenario.target.process;
  const port = await freePort();
  const [command, ...args] = form.command;
  const child = spawn(command, args, { cwd: resolve(dirname(file), form.cwd ?? '.'), env: { ...process.env, ...form.env, PORT: String(port) }, stdio: 'ignore', detached: true });
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  try {
    await pollReady(port, scenario.target.ready?.http ?? '/healthz');
    const failures = await traffic(port, paths);
    child.kill('SIGTERM');
    const grace = seconds(scenario.target.stop_grace_period) * 1000;
    let exit = await Promise.race([exited, sleep(grace).then(() => undefined)]);
    if (!exit) {
      child.kill('SIGKILL');
      exit = await exited;
    }
    const exitCode = exit.code ?? 128 + { SIGTERM: 15, SIGKILL: 9, SIGINT: 2 }[exit.signal];
    return { exitCode, failures };
  } finally {
    try {
      process.kill(-child.pid, 'SIGKILL'); // the bench's own clean-up, not part of the check
    } catch {}
  }
}

export async function baseline() {
  const { targets } = JSON.parse(readFileSync('targets/zoo.json', 'utf8'));
  const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true });
  const rows = [];
  for (const target of targets) {
    const file = `scenarios/${target.scenario}.yml`;
    const scenario = parse(readFileSync(file, 'utf8'), { merge: true });
    const bug = Object.values(target.expect).some((e) => e.oracle);
    const service = scenario.target.service ? compose.services[scenario.target.service] : undefined;
    const paths = pathsOf(scenario);
    const backend = service ? 'docker' : 'process';
    const r = service ? await dockerBaseline(service, paths) : await processBaseline(scenario, file, paths);
    const caught = r.failures.length > 0 || ![0, 143].includes(r.exitCode);
    rows.push({ target: target.scenario, bug, backend, exitCode: r.exitCode, failedRequests: r.failures.length, caught });
    console.error(`baseline ${target.scenario} (${backend}): exit ${r.exitCode}, ${r.failures.length} failed request(s) → ${caught ? 'FAIL' : 'pass'}${bug ? ' [bug]' : ' [twin]'}`);
  }
  const bugs = rows.filter((r) => r.bug);
  const twins = rows.filter((r) => !r.bug);
  const caught = bugs.filter((r) => r.caught).length;
  const falseAlarms = twins.filter((r) => r.caught).length;
  const markdown = [
    `### Baseline: the hand-written stop test (bench/baseline.mjs: start, ${REQUESTS} requests, \`docker stop\`, exit code 0 or 143)`,
    '',
    `Catches **${caught} of ${bugs.length}** seeded bugs; false alarms on ${falseAlarms} of ${twins.length} twins.`,
    '',
    table(
      ['target', 'bug?', 'backend', 'exit code', 'failed requests', 'baseline says'],
      rows.map((r) => [r.target, r.bug ? 'bug' : 'twin', r.backend, r.exitCode, r.failedRequests, r.caught ? 'FAIL' : 'pass']),
    ),
  ].join('\n');
  return { json: { requests: REQUESTS, concurrency: CONCURRENCY, caught, bugs: bugs.length, falseAlarms, twins: twins.length, rows }, markdown };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { markdown } = await baseline();
  console.log(markdown);
}
