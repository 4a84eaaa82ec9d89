import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import type { ProcessInfo } from '../../src/host/process-info.js';
import { scheduleArbitrary } from '../../src/fuzz/arbitrary.js';
import { diagnose } from '../../src/oracles/diagnose.js';
import { lostRequests } from '../../src/oracles/lost-requests.js';
import { exitStatus } from '../../src/oracles/exit-status.js';
import { firstTerminating } from '../../src/oracles/terminating.js';
import type { OracleResult } from '../../src/oracles/verdict.js';
import { describeStop } from '../../src/report/stop-steps.js';
import { loadScenario, ScenarioError } from '../../src/scenario/load.js';
import type { KubernetesStop } from '../../src/stop-models/kubernetes.js';
import type { Scenario } from '../../src/scenario/types.js';
import { describeEvent, type FaultEvent } from '../../src/schedule/event.js';
import { parseSchedule } from '../../src/schedule/parse.js';
import type { PlayedEvent } from '../../src/schedule/played.js';
import type { StopRecord, TrialRecord } from '../../src/trial/record.js';
import type { LedgerEntry } from '../../src/workload/ledger.js';
import { tempFiles } from '../helpers/files.js';

// The stop models' pure logic: `stop:` resolved into a model (from the scenario and the file it names), the stop
// event of schedules, the fuzzer's schedules under a model, lost-requests while the endpoints still route, the
// stop sequence in words, and the diagnoses that read it.

const TARGET = `target:
  image: local/app:1
  ports: [8080]
  stop_signal: SIGQUIT
  stop_grace_period: 7s
  ready: { http: /healthz }
`;

/** Loads `scenario.yml` (its text: TARGET plus `body`) beside the other files given. */
async function load(body: string, files: Record<string, string> = {}, target = TARGET): Promise<Scenario> {
  const dir = tempFiles({ 'scenario.yml': target + body, ...files });
  return loadScenario(join(dir, 'scenario.yml'));
}

/** The ScenarioError loading rejects with, and the scenario's path. */
async function rejected(body: string, files: Record<string, string> = {}): Promise<{ path: string; error: ScenarioError }> {
  const dir = tempFiles({ 'scenario.yml': TARGET + body, ...files });
  const path = join(dir, 'scenario.yml');
  const error = await loadScenario(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ScenarioError);
  return { path, error: error as ScenarioError };
}

const deployment = (container: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      terminationGracePeriodSeconds: 60
      containers:
${container}`;

const WEB = deployment(`        - name: web
          image: registry.example/web:1
          ports:
            - { name: http, containerPort: 8080 }
          lifecycle:
            stopSignal: SIGINT
            preStop:
              exec: { command: [sh, -c, "sleep 5"] }
          readinessProbe:
            httpGet: { path: /ready, port: http }
            periodSeconds: 2
            failureThreshold: 4
`);

describe('loading stop:', () => {
  it('without stop: is docker stop with the target\'s stop_signal and grace period', async () => {
    const s = await load('expect:\n  SIGQUIT: { exit: [0] }\n');
    expect(s.stop).toEqual({ model: 'docker', signal: 'SIGQUIT', graceMs: 7000 });
    expect([s.target.stopSignal, s.target.stopGracePeriod]).toEqual(['SIGQUIT', 7000]);
  });

  it('kubernetes fills the kubelet\'s defaults: 30 s grace, 1 s endpoint delay, the target\'s stop signal', async () => {
    const s = await load('stop: { model: kubernetes }\nexpect:\n  SIGQUIT: { exit: [0] }\n');
    expect(s.stop).toEqual({ model: 'kubernetes', signal: 'SIGQUIT', graceMs: 30_000, endpointDelayMs: 1000 });
    // The model's grace period is the target's: the expectations' deadlines are drawn from it.
    expect([s.target.stopSignal, s.target.stopGracePeriod]).toEqual(['SIGQUIT', 30_000]);
    expect(s.expect.SIGQUIT).toEqual({ kind: 'exit', exit: [0], within: 30_000 });
  });

  it('kubernetes reads a Deployment: grace period, stopSignal, exec preStop, httpGet readiness through a named port', async () => {
    const s = await load('stop: { model: kubernetes, file: web.yaml, traffic: readiness }\n', { 'web.yaml': WEB });
    expect(s.stop).toEqual({
      model: 'kubernetes',
      signal: 'SIGINT',
      graceMs: 60_000,
      preStop: { exec: ['sh', '-c', 'sleep 5'] },
      endpointDelayMs: 1000,
      readiness: { path: '/ready', port: 8080, periodMs: 2000, failureThreshold: 4 },
      source: 'web.yaml (container web)',
    });
    expect([s.target.stopSignal, s.target.stopGracePeriod]).toEqual(['SIGINT', 60_000]);
    // Without traffic: readiness, the manifest's probe is not used: the endpoints lag instead.
    const lagging = await load('stop: { model: kubernetes, file: web.yaml }\n', { 'web.yaml': WEB });
    expect(lagging.stop).not.toHaveProperty('readiness');
  });

  it('kubernetes: keys the scenario writes win over the manifest\'s, which are then neither used nor judged', async () => {
    const body = 'stop:\n  model: kubernetes\n  file: web.yaml\n  termination_grace_period: 45s\n  stop_signal: SIGTERM\n  pre_stop: { sleep: 3s }\n  endpoint_delay: 250ms\n';
    const s = await load(body, { 'web.yaml': WEB });
    expect(s.stop).toMatchObject({ signal: 'SIGTERM', graceMs: 45_000, preStop: { sleepMs: 3000 }, endpointDelayMs: 250 });
    expect([s.target.stopSignal, s.target.stopGracePeriod]).toEqual(['SIGTERM', 45_000]);
    // A preStop sigstorm cannot play is no problem when the scenario gives its own.
    const tcp = WEB.replace('exec: { command: [sh, -c, "sleep 5"] }', 'tcpSocket: { port: 8080 }');
    expect((await load(body, { 'web.yaml': tcp })).stop).toMatchObject({ preStop: { sleepMs: 3000 } });
    const { error } = await rejected('stop: { model: kubernetes, file: web.yaml }\n', { 'web.yaml': tcp });
    expect(error.problems).toMatchObject([{ keyPath: expect.stringContaining('preStop.tcpSocket') as string, message: expect.stringContaining('tcpSocket is not supported') as string }]);
    expect(error.problems[0]!.file).toMatch(/web\.yaml$/);
  });

  it('traffic: readiness without a readiness probe is an error at stop.traffic in the scenario', async () => {
    const { path, error } = await rejected('stop:\n  model: kubernetes\n  traffic: readiness\n');
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({ file: path, line: 9, keyPath: 'stop.traffic' });
    expect(error.problems[0]!.message).toMatch(/^readiness-driven traffic needs an HTTP readiness probe/);
    expect(error.problems[0]!.message).not.toContain('exec');
    expect(error.message).toContain(`${path}:9:`);
    expect(error.exitCode).toBe(ExitCode.badInput);
  });

  it('traffic: readiness with an exec readinessProbe in the manifest says that is why', async () => {
    const exec = WEB.replace('httpGet: { path: /ready, port: http }', 'exec: { command: [cat, /tmp/ready] }');
    const { path, error } = await rejected('stop:\n  model: kubernetes\n  file: web.yaml\n  traffic: readiness\n', { 'web.yaml': exec });
    expect(error.problems).toMatchObject([{ file: path, line: 10, keyPath: 'stop.traffic' }]);
    expect(error.problems[0]!.message).toContain("the manifest's readinessProbe is exec, which sigstorm cannot run from outside");
    // The scenario's own probe is enough.
    const s = await load('stop:\n  model: kubernetes\n  file: web.yaml\n  traffic: readiness\n  readiness: { http: /up, period: 500ms }\n', { 'web.yaml': exec });
    expect((s.stop as KubernetesStop).readiness).toEqual({ path: '/up', periodMs: 500, failureThreshold: 3 });
  });

  it('systemd fills systemd\'s defaults: SIGTERM to the control group, SIGKILL after 90 s', async () => {
    const s = await load('stop: { model: systemd }\n');
    expect(s.stop).toEqual({
      model: 'systemd',
      execStop: [],
      killSignal: 'SIGTERM',
      killMode: 'control-group',
      sendSighup: false,
      sendSigkill: true,
      timeoutStopMs: 90_000,
      finalKillSignal: 'SIGKILL',
    });
    expect([s.target.stopSignal, s.target.stopGracePeriod]).toEqual(['SIGTERM', 90_000]);
  });

  it('systemd reads a unit file, and the scenario\'s keys win', async () => {
    const unit = `[Unit]
Description=worker

[Service]
ExecStart=/usr/local/bin/worker
ExecStop=/bin/kill -USR1 $MAINPID
KillMode=process
KillSignal=SIGQUIT
SendSIGHUP=yes
TimeoutStopSec=5s
FinalKillSignal=SIGABRT
`;
    const s = await load('stop: { model: systemd, file: worker.service }\n', { 'worker.service': unit });
    expect(s.stop).toEqual({
      model: 'systemd',
      execStop: [['/bin/kill', '-USR1', '$MAINPID']],
      killSignal: 'SIGQUIT',
      killMode: 'process',
      sendSighup: true,
      sendSigkill: true,
      timeoutStopMs: 5000,
      finalKillSignal: 'SIGABRT',
      source: 'worker.service',
    });
    expect([s.target.stopSignal, s.target.stopGracePeriod]).toEqual(['SIGQUIT', 5000]);
    const mine = await load('stop: { model: systemd, file: worker.service, kill_mode: mixed, timeout_stop: 2s }\n', { 'worker.service': unit });
    expect(mine.stop).toMatchObject({ killMode: 'mixed', timeoutStopMs: 2000, killSignal: 'SIGQUIT' });
  });

  it('systemd kill_signal: SIGINT makes SIGINT the stop signal and the fault space\'s first signal', async () => {
    const s = await load('stop: { model: systemd, kill_signal: SIGINT }\n');
    expect(s.target.stopSignal).toBe('SIGINT');
    expect(s.faults.signals[0]).toBe('SIGINT');
    expect(s.faults.signals).toEqual(['SIGINT', 'SIGTERM']);
    // The target's written stop_signal (SIGQUIT) is no longer what it is stopped with.
    expect(s.faults.signals).not.toContain('SIGQUIT');
    expect(s.expect.SIGINT).toEqual({ kind: 'exit', exit: [0, 130], within: 90_000 });
  });

  it('supervisord: stop_as_group implies kill_as_group, from the scenario or from the configuration', async () => {
    expect((await load('stop: { model: supervisord }\n')).stop).toEqual({
      model: 'supervisord',
      stopSignal: 'SIGTERM',
      stopWaitMs: 10_000,
      stopAsGroup: false,
      killAsGroup: false,
    });
    expect((await load('stop: { model: supervisord, stop_as_group: true }\n')).stop).toMatchObject({ stopAsGroup: true, killAsGroup: true });
    expect((await load('stop: { model: supervisord, kill_as_group: true }\n')).stop).toMatchObject({ stopAsGroup: false, killAsGroup: true });
    const conf = '[supervisord]\nnodaemon=true\n\n[program:web]\ncommand=/usr/local/bin/web\nstopsignal=INT\nstopwaitsecs=4\nstopasgroup=true\n';
    const s = await load('stop: { model: supervisord, file: supervisord.conf }\n', { 'supervisord.conf': conf });
    expect(s.stop).toEqual({ model: 'supervisord', stopSignal: 'SIGINT', stopWaitMs: 4000, stopAsGroup: true, killAsGroup: true, source: 'supervisord.conf [program:web]' });
    expect([s.target.stopSignal, s.target.stopGracePeriod]).toEqual(['SIGINT', 4000]);
  });

  it('a bad model name and an unknown key under stop are errors at their file, line and key path', async () => {
    const bad = await rejected('stop:\n  model: nomad\n');
    expect(bad.error.problems).toMatchObject([{ file: bad.path, line: 8, keyPath: 'stop.model' }]);
    expect(bad.error.problems[0]!.message).toMatch(/docker.*kubernetes.*systemd.*supervisord/);
    const unknown = await rejected('stop:\n  model: kubernetes\n  grace: 5s\n');
    expect(unknown.error.problems).toMatchObject([{ file: unknown.path, line: 9, keyPath: 'stop.grace' }]);
    expect(unknown.error.problems[0]!.message).toMatch(/^unknown key; expected one of: .*termination_grace_period/);
  });

  it('a missing stop.file says it cannot be read, at stop.file in the scenario', async () => {
    const { path, error } = await rejected('stop:\n  model: systemd\n  file: gone.service\n');
    expect(error.exitCode).toBe(ExitCode.badInput);
    expect(error.problems).toEqual([
      { file: path, line: 9, column: 9, keyPath: 'stop.file', message: `${join(dirname(path), 'gone.service')}: cannot read systemd unit (no such file)` },
    ]);
  });
});

describe('the stop event of schedules', () => {
  it('parses {at, kind: stop, endpoint_delay} and prints it', () => {
    const schedule = parseSchedule([{ at: 300, kind: 'stop', endpoint_delay: 200 }, { at: 100, signal: 'SIGHUP' }], 'test');
    expect(schedule).toEqual([
      { at: 100, kind: 'signal', signal: 'SIGHUP', to: 'main' },
      { at: 300, kind: 'stop', endpoint_delay: 200 },
    ]);
    expect(describeEvent(schedule[1]!)).toBe('+300 ms stop (endpoints lag 200 ms)');
    expect(describeEvent(parseSchedule([{ at: '1.5s', kind: 'stop' }], 'test')[0]!)).toBe('+1500 ms stop');
  });

  it('refuses a stop event with a key it does not take', () => {
    expect(() => parseSchedule([{ at: 0, kind: 'stop', to: 'main' }], '--events')).toThrow(/--events: not a valid schedule[\s\S]*to/);
  });
});

describe('the fuzzer under a stop model', () => {
  const contract = 'expect:\n  SIGTERM: { exit: [0] }\n  SIGINT: { exit: [0] }\n  SIGHUP: { alive: true }\n';
  const target = TARGET.replace('stop_signal: SIGQUIT', 'stop_signal: SIGTERM');
  const kubernetes = (preStop: string) => load(`stop:\n  model: kubernetes\n  pre_stop: ${preStop}\n  endpoint_delay: 1s\n${contract}`, {}, target);
  const draws = (s: Scenario, seed: number) => fc.sample(scheduleArbitrary(s), { seed, numRuns: 200 });
  const terminating = (s: Scenario, e: FaultEvent) =>
    (e.kind === 'signal' && s.expect[e.signal]?.kind === 'exit') || (e.kind === 'race' && e.signals.some((sig) => s.expect[sig]?.kind === 'exit'));
  const survivable = (s: Scenario, e: FaultEvent) =>
    e.kind === 'pause' || e.kind === 'partition' || ((e.kind === 'signal' || e.kind === 'storm') && !terminating(s, e));

  it('draws one stop per schedule, its endpoint lag on the step, and no terminating signal before the model\'s own', async () => {
    const s = await kubernetes('{ sleep: 2s }');
    expect(s.faults.step).toBe(25);
    expect(s.faults.signals).toEqual(['SIGTERM', 'SIGINT', 'SIGHUP']);
    const schedules = draws(s, 18);
    let seconds = 0;
    const lags = new Set<number>();
    for (const schedule of schedules) {
      const stops = schedule.filter((e) => e.kind === 'stop');
      expect(stops).toHaveLength(1);
      const stop = stops[0]!;
      const lag = stop.endpoint_delay!;
      expect(lag).toBeGreaterThanOrEqual(0);
      expect(lag).toBeLessThanOrEqual(1000);
      expect(lag % s.faults.step).toBe(0);
      lags.add(lag);
      const others = schedule.filter((e) => e !== stop);
      const second = others.filter((e) => terminating(s, e));
      expect(second.length).toBeLessThanOrEqual(1);
      // The model's SIGTERM comes when the 2 s preStop sleep is over: a terminating signal before it is another stop.
      for (const e of second) expect(e.at).toBeGreaterThanOrEqual(stop.at + 2000);
      for (const e of others.filter((e) => e.at < stop.at)) expect(survivable(s, e), describeEvent(e)).toBe(true);
      seconds += second.length;
    }
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThan(schedules.length);
    expect(lags.size).toBeGreaterThan(5);
  });

  it('draws no second terminating signal when the preStop hook is a command (the signal\'s time is unknown)', async () => {
    const s = await kubernetes('{ exec: [sh, -c, "sleep 1"] }');
    for (const schedule of draws(s, 18)) {
      expect(schedule.filter((e) => e.kind === 'stop')).toHaveLength(1);
      expect(schedule.filter((e) => terminating(s, e))).toEqual([]);
    }
  });

  it('draws under a docker model exactly what it draws without stop:', async () => {
    const plain = await load(contract, {}, target);
    const docker = await load(`stop: { model: docker }\n${contract}`, {}, target);
    expect(docker.stop).toEqual(plain.stop);
    for (const seed of [1, 18, 4242]) {
      const drawn = draws(docker, seed);
      expect(drawn).toEqual(draws(plain, seed));
      expect(drawn.flat().some((e) => e.kind === 'stop')).toBe(false);
    }
    // A scenario space without any stop model (as before stop models existed) draws the same too.
    const { stop: _, ...noModel } = plain;
    expect(fc.sample(scheduleArbitrary(noModel), { seed: 7, numRuns: 200 })).toEqual(draws(plain, 7));
  });
});

// A Kubernetes stop without preStop begun at +500: SIGTERM at once, the endpoints still routing until +1500.
const SIGTERM_AT = 500;
const TRAFFIC_STOP_AT = 1500;

let nextId = 0;
const req = (sentMs: number, endMs: number, outcome: LedgerEntry['outcome']): LedgerEntry => ({
  id: nextId++, kind: 'request', method: 'GET', path: '/slow', connection: 'fresh', reused: false, sentMs, endMs, outcome, bytes: outcome === 'ok' ? 5 : 0,
});

const stopEvent: PlayedEvent = { at: SIGTERM_AT, kind: 'stop', origin: 'schedule', scheduledMs: SIGTERM_AT, deliveredMs: SIGTERM_AT };
const sigterm: PlayedEvent = {
  at: 0, kind: 'signal', signal: 'SIGTERM', to: 'main', origin: 'stop', scheduledMs: SIGTERM_AT, deliveredMs: SIGTERM_AT, deliveries: [{ signal: 'SIGTERM', atMs: SIGTERM_AT }], via: 'host-pid', pids: [100],
};
const kubernetesModel: KubernetesStop = { model: 'kubernetes', signal: 'SIGTERM', graceMs: 30_000, endpointDelayMs: 1000 };
const kubernetesStop: StopRecord = {
  model: 'kubernetes',
  settings: kubernetesModel,
  beganMs: SIGTERM_AT,
  endpointDelayMs: TRAFFIC_STOP_AT - SIGTERM_AT,
  steps: [
    { step: 'begin', atMs: SIGTERM_AT },
    { step: 'signal', atMs: SIGTERM_AT, detail: 'SIGTERM→main' },
    { step: 'traffic-stop', atMs: TRAFFIC_STOP_AT, detail: 'endpoints removed after 1000 ms' },
  ],
};

function record(more: Partial<TrialRecord>): TrialRecord {
  return {
    scenario: { name: 'web', path: '/s/web.yml' },
    backend: 'process',
    runId: 'r',
    expect: { SIGTERM: { kind: 'exit', exit: [0], within: 30_000 } },
    oracles: { lost_requests: { no_refusals_for: 0 }, handles: { fd_slack: 4, allow_zombies: false, removed_on_exit: [], kept_on_exit: [] } },
    stopSignal: 'SIGTERM',
    stopGracePeriodMs: 30_000,
    target: { id: 'p', pid: 100 },
    readyAt: '2026-12-02T00:00:00.000Z',
    readyMonotonicMs: 1000,
    spawnToReadyMs: 200,
    schedule: [{ at: SIGTERM_AT, kind: 'stop' }],
    events: [stopEvent, sigterm],
    checks: [],
    exit: { exitCode: 0, signal: null, status: 0, atMs: 900, forcedKill: false, lingering: [] },
    samples: [],
    ledger: [],
    files: [],
    logs: [],
    ...more,
  };
}

describe('lost-requests under a Kubernetes stop', () => {
  const refusedWhileRouted = req(800, 801, 'refused');

  it('loses a connection refused after the signal while the endpoints still routed traffic: endpoint-lag', () => {
    const [result, ...more] = lostRequests(record({ stop: kubernetesStop, ledger: [req(100, 200, 'ok'), refusedWhileRouted] }));
    expect(more).toEqual([]);
    expect(result).toMatchObject({ oracle: 'lost-requests', verdict: 'fail', kind: 'endpoint-lag' });
    expect(result!.message).toBe(
      `1 request(s) lost around SIGTERM (+500 ms): 1 refused; e.g. #${refusedWhileRouted.id} GET /slow sent 300 ms after the signal, refused; ` +
        '1 of them sent after the signal while the endpoints still routed traffic to the target (until +1500 ms, 1000 ms after the stop began)',
    );
    expect(result!.evidence).toMatchObject({ routedUntilMs: TRAFFIC_STOP_AT, sentWhileRouted: 1, lost: [{ id: refusedWhileRouted.id, sentRelMs: 300 }] });
  });

  it('calls responses cut in flight truncated, however many were refused while routed (nginx\'s SIGTERM under a lag)', () => {
    const cut = { ...req(300, 700, 'truncated'), firstByteMs: 350, bytes: 4096 };
    const refused = [req(800, 801, 'refused'), req(850, 851, 'refused'), req(900, 901, 'refused')];
    const [result] = lostRequests(record({ stop: kubernetesStop, ledger: [req(100, 200, 'ok'), cut, ...refused] }));
    expect(result).toMatchObject({ verdict: 'fail', kind: 'truncated' });
  });

  it('allows the same refusal under docker stop, where nothing routes new connections after the signal', () => {
    const [result] = lostRequests(record({ ledger: [refusedWhileRouted] }));
    expect(result).toMatchObject({ verdict: 'pass' });
  });

  it('allows a refusal of a request sent once the endpoints dropped the target', () => {
    const [result] = lostRequests(record({ stop: kubernetesStop, ledger: [req(TRAFFIC_STOP_AT + 100, TRAFFIC_STOP_AT + 101, 'refused')] }));
    expect(result).toMatchObject({ verdict: 'pass' });
    // Nor is a response cut short then counted among those the endpoints still routed.
    const [cut] = lostRequests(record({ stop: kubernetesStop, ledger: [req(TRAFFIC_STOP_AT + 100, TRAFFIC_STOP_AT + 300, 'truncated')] }));
    expect(cut).toMatchObject({ verdict: 'fail', kind: 'truncated', evidence: { routedUntilMs: TRAFFIC_STOP_AT, sentWhileRouted: 0 } });
    expect(cut!.message).not.toContain('endpoints');
  });

  it('still calls a request sent before the signal and reset in the drain in-flight-lost, not endpoint-lag', () => {
    const [result] = lostRequests(record({ stop: kubernetesStop, ledger: [req(SIGTERM_AT - 100, SIGTERM_AT + 300, 'reset')] }));
    expect(result).toMatchObject({ verdict: 'fail', kind: 'in-flight-lost' });
    expect(result!.evidence).toMatchObject({ routedUntilMs: TRAFFIC_STOP_AT, sentWhileRouted: 0 });
  });
});

describe('a stop hook as the first stop request', () => {
  // systemd: ExecStop signals the target itself (kill -QUIT $MAINPID), unseen by sigstorm; the model's own signal
  // would have come after the hook, had the target still been running.
  const hooked = (events: PlayedEvent[]): TrialRecord =>
    record({
      events,
      stop: {
        model: 'systemd',
        beganMs: 300,
        steps: [
          { step: 'begin', atMs: 300 },
          { step: 'hook-start', atMs: 300, detail: '/bin/kill -s QUIT 100' },
          { step: 'main-exit', atMs: 420, detail: 'status 0' },
          { step: 'hook-end', atMs: 430, detail: 'exit 0' },
        ],
      },
      exit: { exitCode: 0, signal: null, status: 0, atMs: 420, forcedKill: false, lingering: [] },
    });

  it('counts from the hook, judged as the stop signal: the exit after it is expected, refusals after it allowed', () => {
    const r = hooked([]);
    expect(firstTerminating(r)).toMatchObject({ signal: 'SIGTERM', deliveredMs: 300, origin: 'stop', event: -1, label: 'the systemd stop (its hook at +300 ms)' });
    expect(exitStatus(r)).toMatchObject([{ verdict: 'pass', message: 'exited 0 after the systemd stop (its hook at +300 ms), as expected' }]);
    const [lost] = lostRequests({ ...r, ledger: [req(100, 200, 'ok'), req(350, 351, 'refused')] });
    expect(lost).toMatchObject({ verdict: 'pass' });
    // Without the hook, the same exit is one no signal explains, and the refusal a lost request.
    const bare = { ...r, stop: undefined };
    expect(firstTerminating(bare)).toBeUndefined();
    expect(lostRequests({ ...bare, ledger: [req(350, 351, 'refused')] })[0]).toMatchObject({ verdict: 'fail' });
  });

  it('gives way to a terminating signal delivered before the hook began', () => {
    const early: PlayedEvent = { ...sigterm, origin: 'schedule', scheduledMs: 200, deliveredMs: 200, deliveries: [{ signal: 'SIGTERM', atMs: 200 }] };
    expect(firstTerminating(hooked([early]))).toMatchObject({ signal: 'SIGTERM', deliveredMs: 200, origin: 'schedule' });
    expect(firstTerminating(hooked([early]))!.label).toBeUndefined();
  });
});

describe('describeStop', () => {
  it('lists the steps in order with their details, the hook\'s last output lines, the source and the lag', () => {
    const stop: StopRecord = {
      model: 'kubernetes',
      source: 'web.yaml (container web)',
      beganMs: 500,
      endpointDelayMs: 1000,
      steps: [
        { step: 'begin', atMs: 500 },
        { step: 'hook-start', atMs: 500.4, detail: 'sh -c sleep 2; echo drained' },
        { step: 'traffic-stop', atMs: 1500, detail: 'endpoints removed after 1000 ms' },
        { step: 'hook-end', atMs: 2520, detail: 'exit 0', output: ['one', 'two', 'three', 'drained'] },
        { step: 'signal', atMs: 2521, detail: 'SIGTERM→main' },
        { step: 'final-kill', atMs: 32_500, detail: 'SIGKILL→all' },
      ],
    };
    expect(describeStop(stop)).toEqual([
      '+500 ms stop: kubernetes (web.yaml (container web), endpoints lag 1000 ms)',
      '  +500 ms hook starts: sh -c sleep 2; echo drained',
      '  +1500 ms traffic stops: endpoints removed after 1000 ms',
      '  +2520 ms hook ends: exit 0 — output: two | three | drained',
      '  +2521 ms signal SIGTERM→main',
      '  +32500 ms final kill SIGKILL→all',
    ]);
    const systemd: StopRecord = {
      model: 'systemd',
      beganMs: 300,
      steps: [
        { step: 'begin', atMs: 300 },
        { step: 'signal', atMs: 301, detail: 'SIGTERM→main' },
        { step: 'main-exit', atMs: 350, detail: 'status 0' },
        { step: 'removed', atMs: 352, detail: 'left running by the systemd (KillMode=process): helper (4242); sigstorm removes it' },
      ],
    };
    expect(describeStop(systemd)).toEqual([
      '+300 ms stop: systemd',
      '  +301 ms signal SIGTERM→main',
      '  +350 ms main process exited: status 0',
      '  +352 ms left behind: left running by the systemd (KillMode=process): helper (4242); sigstorm removes it',
    ]);
    expect(describeStop({ ...kubernetesStop })[0]).toBe('+500 ms stop: kubernetes (endpoints lag 1000 ms)');
  });
});

describe('the stop models\' diagnoses', () => {
  const idOf = (r: TrialRecord, failure: OracleResult) => diagnose(r, [failure])[0]!.diagnosis?.id;

  it('endpoint-lag explains the lost-requests failure of a Kubernetes stop', () => {
    const r = record({ stop: kubernetesStop, ledger: [req(800, 801, 'refused')] });
    const [diagnosed] = diagnose(r, lostRequests(r));
    expect(diagnosed!.diagnosis).toMatchObject({ id: 'endpoint-lag', confidence: 'high' });
    expect(diagnosed!.diagnosis!.cause).toBe(
      "The kubelet's stop signal came 0 ms after the stop began, but the endpoints kept sending new connections for 1000 ms, and the service stopped taking them at once.",
    );
    expect(diagnosed!.diagnosis!.fix).toMatch(/preStop sleep/);
    // Its evidence is the Kubernetes stop: without one in the record, the cause is not claimed.
    expect(idOf(record({ ledger: r.ledger }), lostRequests(r)[0]!)).toBe('unknown');
  });

  // preStop sleep 25 s of a 30 s grace period: SIGTERM at +25.5 s, SIGKILL at +30.5 s while the service drained.
  const overGrace: StopRecord = {
    model: 'kubernetes',
    settings: { ...kubernetesModel, preStop: { sleepMs: 25_000 } },
    beganMs: 500,
    endpointDelayMs: 1000,
    steps: [
      { step: 'begin', atMs: 500 },
      { step: 'hook-start', atMs: 500, detail: 'sleep 25000 ms' },
      { step: 'traffic-stop', atMs: 1500 },
      { step: 'hook-end', atMs: 25_500, detail: 'exit 0' },
      { step: 'signal', atMs: 25_500, detail: 'SIGTERM→main' },
      { step: 'final-kill', atMs: 30_500, detail: 'SIGKILL→all' },
    ],
  };
  const killed: OracleResult = { oracle: 'exit-status', verdict: 'fail', kind: 'killed', message: 'killed by SIGKILL' };
  const withStop = (stop: StopRecord) =>
    record({
      stop,
      events: [{ ...stopEvent }, { ...sigterm, scheduledMs: 25_500, deliveredMs: 25_500, deliveries: [{ signal: 'SIGTERM', atMs: 25_500 }] }],
      exit: { exitCode: null, signal: 'SIGKILL', status: 137, atMs: 30_510, forcedKill: true, killedAtMs: 30_500, lingering: [] },
    });

  it('grace-too-short: a preStop hook that used up the grace period before the final kill', () => {
    const r = withStop(overGrace);
    const [diagnosed] = diagnose(r, [killed]);
    expect(diagnosed!.diagnosis?.id).toBe('grace-too-short');
    expect(diagnosed!.diagnosis!.cause).toBe(
      'The grace period (terminationGracePeriodSeconds, 30 s) counts the preStop hook: the stop signal came 25000 ms into it, leaving 5000 ms to drain before SIGKILL.',
    );
  });

  it('grace-too-short needs both a hook and a final kill', () => {
    const noHook = { ...overGrace, steps: overGrace.steps.filter((s) => s.step !== 'hook-start' && s.step !== 'hook-end') };
    expect(idOf(withStop(noHook), killed)).not.toBe('grace-too-short');
    const noKill = { ...overGrace, steps: overGrace.steps.filter((s) => s.step !== 'final-kill') };
    expect(idOf(withStop(noKill), killed)).not.toBe('grace-too-short');
    // A hook that left most of the grace period to the signal is not the cause either.
    const shortHook = { ...overGrace, steps: overGrace.steps.map((s) => (s.step === 'signal' ? { ...s, atMs: 2500 } : s)) };
    expect(idOf(withStop(shortHook), killed)).not.toBe('grace-too-short');
    expect(idOf(withStop(overGrace), killed)).toBe('grace-too-short');
  });

  it('killmode-process: a systemd stop with KillMode=process that left a child running', () => {
    const helper: ProcessInfo = { pid: 4242, ppid: 1, pgid: 100, sid: 100, state: 'S', comm: 'helper', fds: 3, startTime: 2 };
    const orphans: OracleResult = { oracle: 'handles', verdict: 'fail', kind: 'orphans', message: 'helper (4242) outlived the target' };
    const systemd = (killMode: 'process' | 'control-group'): TrialRecord =>
      record({
        stop: {
          model: 'systemd',
          settings: { model: 'systemd', execStop: [], killSignal: 'SIGTERM', killMode, sendSighup: false, sendSigkill: true, timeoutStopMs: 5000, finalKillSignal: 'SIGKILL' },
          beganMs: 500,
          steps: [{ step: 'begin', atMs: 500 }, { step: 'signal', atMs: 500, detail: 'SIGTERM→main' }],
        },
        exit: { exitCode: 0, signal: null, status: 0, atMs: 600, forcedKill: false, killedAtMs: 602, lingering: [helper] },
      });
    expect(idOf(systemd('process'), orphans)).toBe('killmode-process');
    expect(idOf(systemd('control-group'), orphans)).not.toBe('killmode-process');
  });
});
