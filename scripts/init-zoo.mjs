// `sigstorm init` on everything this repository runs: every service of the zoo's docker-compose.yml (the compose
// form, docker backend), every real-server corpus entry (scenarios/real/, process backend: the command its
// scenario starts, with the systemd unit or Kubernetes manifest its stop reads when it names one), and the
// artefacts written as popular projects write them (test/fixtures/init/, each with its command). Each written
// scenario is validated (init loads it before writing it) and run once, `sigstorm run` with no schedule: started,
// made ready, stopped as its orchestrator would. Prints a Markdown table of what init inferred, what it could not,
// and how the run ended; writes the scenarios under reports/init-zoo/ and the rows to reports/init-zoo.json.
// Exit 1 when a scenario does not validate or its trial ends in an infrastructure error; a trial that FAILS on a
// zoo bug still ran. Usage: npm run init:zoo [-- --only regex] [--no-run] [--zoo-only | --real-only (and popular)]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { initScenario, loadScenario, run } from '../dist/index.js';

const { values: opts } = parseArgs({
  options: {
    only: { type: 'string' },
    'no-run': { type: 'boolean', default: false },
    'zoo-only': { type: 'boolean', default: false },
    'real-only': { type: 'boolean', default: false },
  },
});
const only = opts.only ? new RegExp(opts.only) : undefined;
const out = resolve('reports/init-zoo');
const reportDir = join(out, 'reports');

/** The compose services, each a source; the zoo's build contexts are prepared first, as its scenarios' `prepare` does. */
function zooSources() {
  const services = Object.keys(parse(readFileSync('docker-compose.yml', 'utf8')).services);
  return services.map((service) => ({
    name: `zoo/${service}`,
    source: `--compose docker-compose.yml --service ${service}`,
    backend: 'docker',
    options: { compose: 'docker-compose.yml', service },
  }));
}

/** The corpus entries grouped by what init would be given: the same command and stop file give the same scenario. */
function realSources() {
  const { scenarios } = JSON.parse(readFileSync('targets/real/corpus.json', 'utf8'));
  const byKey = new Map();
  for (const { scenario: name } of scenarios) {
    const written = parse(readFileSync(`scenarios/real/${name}.yml`, 'utf8'));
    const command = written.target.process.command;
    const stop = written.stop ?? {};
    const file = stop.file && (stop.model === 'systemd' || stop.model === 'kubernetes') ? { [stop.model === 'systemd' ? 'systemd' : 'k8s']: stop.file } : {};
    const key = JSON.stringify([command, file]);
    if (!byKey.has(key)) {
      const flag = Object.entries(file).map(([k, v]) => `--${k} ${v} `).join('');
      byKey.set(key, { name: `real/${name}`, covers: [], source: `${flag}-- ${command.join(' ')}`, backend: 'process', options: { ...file, command, cwd: resolve('scenarios/real') } });
    }
    byKey.get(key).covers.push(name);
  }
  return [...byKey.values()];
}

/**
 * Artefacts written as popular projects write them (test/fixtures/init/), each with the command that starts the
 * service, so the scenario has a process form to run: a Python app, Redis, the zoo's gRPC server.
 */
function popularSources() {
  const f = 'test/fixtures/init';
  const app = ['python3', `${f}/app/app.py`];
  const redis = ['redis-server', '--port', '6379', '--save', '', '--appendonly', 'no'];
  const grpc = ['node', 'targets/grpc/server.js'];
  // web depends on redis, to which init can give no process form, and builds FROM python:3.12-slim, never pulled.
  const notRun = { 'compose-web': 'not run: its dependency redis has no process form (init says so), its image is built FROM an image sigstorm never pulls' };
  const sources = [
    ['compose-web', { compose: `${f}/compose/docker-compose.yml`, service: 'web', command: app }],
    ['compose-redis', { compose: `${f}/compose/docker-compose.yml`, service: 'redis', command: redis }],
    ['dockerfile-node', { dockerfile: `${f}/node/Dockerfile`, command: app }],
    ['dockerfile-grpc', { dockerfile: `${f}/grpc/Dockerfile`, command: grpc }],
    ['k8s-deployment', { k8s: `${f}/k8s/deployment.yaml`, command: app }],
    ['k8s-redis', { k8s: `${f}/redis/statefulset.yaml`, command: redis }],
    ['systemd-api', { systemd: `${f}/systemd/api.service`, command: app }],
    ['command', { command: app }],
  ];
  const flags = (o) => Object.entries(o).filter(([k]) => k !== 'command').map(([k, v]) => `--${k} ${v} `).join('');
  return sources.map(([name, options]) => ({
    name: `popular/${name}`,
    source: `${flags(options)}-- ${options.command.join(' ')}`,
    backend: 'process',
    options,
    ...(notRun[name] ? { notRun: notRun[name] } : {}),
  }));
}

/** What init could not infer, each by its leading words. */
const short = (unknown) => unknown.split(/[:(]/)[0].trim();

/** The columns of one written scenario, read from it as the loader reads it. */
function inferred(scenario, text) {
  const ready = scenario.target.ready;
  const readiness = [ready.http && `http ${ready.http}`, ready.log && `log "${ready.log}"`, ready.tcp !== undefined && `tcp ${ready.tcp === true ? '(its port)' : ready.tcp}`].filter(Boolean).join(' + ') || 'once started';
  const w = scenario.workload;
  const workload = [...w.requests.map((r) => `http ${r.method} ${r.path}`), ...w.tcp.map((t) => `tcp ${JSON.stringify(t.send)}`), ...w.grpc.map(() => 'grpc'), w.exec && 'exec', w.jobs && 'jobs'].filter(Boolean).join(', ') || 'none';
  const listened = /it listened on port \d+ \(the \$PORT it was handed\)/.test(text) ? '$PORT' : /it listened on port (\d+)/.exec(text)?.[1];
  const port = scenario.target.container?.ports.join(', ') || listened || '—';
  const stop = `${scenario.stop.model}: ${scenario.target.stopSignal}, ${scenario.target.stopGracePeriod / 1000} s`;
  return { port, readiness, workload, stop };
}

async function one(source) {
  const file = join(out, `${source.name}.yml`);
  mkdirSync(join(file, '..'), { recursive: true });
  rmSync(file, { force: true });
  const row = { source: source.name, given: source.source, ...(source.covers ? { covers: source.covers } : {}) };
  let result;
  try {
    result = await initScenario({ ...source.options, out: file, force: true });
  } catch (error) {
    return { ...row, validated: false, error: error.message.split('\n')[0], ok: false };
  }
  const scenario = await loadScenario(file);
  Object.assign(row, inferred(scenario, result.text), { validated: true, unknowns: result.unknowns, warnings: result.warnings });
  if (opts['no-run'] || source.notRun) return { ...row, ran: source.notRun ?? 'not run', ok: true };
  const started = Date.now();
  try {
    const { report } = await run(file, { backend: source.backend, reportDir });
    const failing = report.failures.map((f) => `${f.oracle}/${f.kind}`);
    const infra = report.verdict === 'unknown';
    const ran = report.verdict === 'fail' ? `fail: ${failing.join(', ')}` : report.verdict;
    return { ...row, ran, status: report.trial?.exit.status, seconds: (Date.now() - started) / 1000, ok: !infra };
  } catch (error) {
    return { ...row, ran: `infrastructure: ${error.message.split('\n')[0]}`, seconds: (Date.now() - started) / 1000, ok: false };
  }
}

const sources = [...(opts['real-only'] ? [] : zooSources()), ...(opts['zoo-only'] ? [] : [...realSources(), ...popularSources()])].filter((s) => !only || only.test(s.name));
if (!opts['no-run'] && sources.some((s) => s.backend === 'docker')) {
  // The zoo's images are built from contexts its build scripts fill (Go binaries, host copies of node and redis).
  for (const t of ['go', 'shell-form', 'node', 'stack', 'redis', 'worker', 'tcp', 'grpc']) execFileSync('sh', [`targets/${t}/build.sh`], { stdio: 'inherit' });
}
const rows = [];
for (const source of sources) {
  const row = await one(source);
  rows.push(row);
  console.error(`${row.ok ? '✓' : '✗'} ${row.source}: ${row.validated ? `ready ${row.readiness}; ${row.ran}` : row.error}`);
}
mkdirSync('reports', { recursive: true });
writeFileSync('reports/init-zoo.json', `${JSON.stringify({ rows }, null, 2)}\n`);
const cell = (text) => String(text ?? '').replaceAll('|', '\\|');
const table = [
  '| source | port | readiness | workload | stop | validated | ran | not inferred |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map((r) =>
    [
      r.covers ? `${r.source} (${r.covers.length > 1 ? `also ${r.covers.slice(1).join(', ')}` : 'one entry'})` : r.source,
      r.port,
      r.readiness,
      r.workload,
      r.stop,
      r.validated ? '✓' : `✗ ${r.error}`,
      r.ran,
      [...new Set((r.unknowns ?? []).map(short))].join('; '),
    ]
      .map(cell)
      .join(' | '),
  ).map((line) => `| ${line} |`),
];
console.log(table.join('\n'));
const bad = rows.filter((r) => !r.ok);
const ran = rows.filter((r) => r.ok && r.seconds !== undefined).length;
console.log(`\n${rows.length} sources: ${rows.filter((r) => r.validated).length} validated, ${ran} ran, ${bad.length} failed to (${bad.map((r) => r.source).join(', ') || 'none'})`);
process.exitCode = bad.length ? 1 : 0;
