import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { ExitCode, SigstormError } from '../../src/errors.js';
import { reproPlan } from '../../src/report/repro-plan.js';
import { reproScript, shellWord } from '../../src/report/repro-script.js';
import { REPRO_SHELL } from '../../src/report/repro-shell.js';
import { loadScenario } from '../../src/scenario/load.js';
import { parseSchedule } from '../../src/schedule/parse.js';

// The reproduction script's generator is pure (scenario + schedule → text): its plan and text are checked here, and
// the parts of the shell that judge a run are run by sh over files written as a run would leave them.

/** A process target ready by a TCP connect. */
function tcpScenario(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sigstorm-repro-tcp-'));
  writeFileSync(join(dir, 'scenario.yml'), 'target:\n  process: { command: [redis-server, --port, "{port}"] }\n  ready: { tcp: true }\n');
  return join(dir, 'scenario.yml');
}

async function planFor(scenario: string, events: unknown[]) {
  const loaded = await loadScenario(scenario);
  return reproPlan(loaded, parseSchedule(events, 'test'), scenario);
}

/** The bad input a call throws, or fails the test. */
function refusal(call: () => unknown): SigstormError {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(SigstormError);
    expect((error as SigstormError).exitCode).toBe(ExitCode.badInput);
    return error as SigstormError;
  }
  throw new Error('expected bad input');
}

describe('reproduction script: the plan', () => {
  it("plays the HAProxy finding as two timed kills, no alive check after the stop signal, judged by the scenario's contract", async () => {
    const plan = await planFor('scenarios/real/haproxy-usr2.yml', [
      { at: 500, signal: 'SIGUSR2' },
      { at: 530, signal: 'SIGUSR1' },
    ]);
    expect(plan.actions).toEqual([
      { kind: 'kill', event: 0, atMs: 500, signals: ['SIGUSR2'], count: 1, spacingMs: 0, to: 'main', label: '+500 ms SIGUSR2→main' },
      { kind: 'kill', event: 1, atMs: 530, signals: ['SIGUSR1'], count: 1, spacingMs: 0, to: 'main', label: '+530 ms SIGUSR1→main' },
    ]);
    expect(plan.terminating).toContain('SIGUSR1');
    expect(plan.terminating).not.toContain('SIGUSR2');
    expect(plan.start).toEqual({ command: ['sh', '../../targets/real/haproxy/run.sh'], cwd: resolve('scenarios/real'), env: {}, portEnv: 'PORT' });
    expect(plan.ready).toEqual({ http: '/healthz', timeoutMs: 10_000 });
    expect(plan.traffic).toEqual([{ method: 'GET', path: '/big', loops: 1, periodMs: 500, timeoutMs: 20_000 }]);
    expect(plan.graceMs).toBe(10_000);
  });

  it('checks the target is alive after a signal it must survive, settle ms later, when no stop signal came first', async () => {
    const plan = await planFor('scenarios/real/haproxy-usr2.yml', [{ at: 500, signal: 'SIGUSR2' }]);
    expect(plan.actions.map((a) => [a.kind, a.atMs])).toEqual([
      ['kill', 500],
      ['check', 1500],
    ]);
    expect(plan.stopSignal).toBe('SIGUSR1');
  });

  it('turns storms and races into counted kills (a race back to back), and a group recipient needs a session of its own', async () => {
    const plan = await planFor('scenarios/hup-unhandled.yml', [
      { at: 100, kind: 'storm', signals: ['SIGHUP'], count: 5, spacing: 20 },
      { at: 300, kind: 'race', signals: ['SIGTERM', 'SIGINT'], to: 'group' },
    ]);
    expect(plan.actions.filter((a) => a.kind === 'kill').map((a) => a.kind === 'kill' && [a.atMs, a.count, a.spacingMs, a.to, a.signals.join('+')])).toEqual([
      [100, 5, 20, 'main', 'SIGHUP'],
      [300, 2, 0, 'group', 'SIGTERM+SIGINT'],
    ]);
    expect(plan.needsGroup).toBe(true);
  });

  it('sends the HTTP streams as curl loops (one per request in flight) and names the traffic it leaves out', async () => {
    const plan = await planFor('scenarios/node-exit-at-once.yml', [{ at: 50, signal: 'SIGTERM' }]);
    expect(plan.traffic).toEqual([
      { method: 'GET', path: '/slow', loops: 8, periodMs: 200, timeoutMs: 10_000 },
      { method: 'GET', path: '/healthz', loops: 2, periodMs: 100, timeoutMs: 10_000 },
    ]);
    expect(plan.leftOut).toEqual(['writes to /write and their read-back (acked-writes)']);
    expect(plan.start.env).toEqual({ ZOO_MODE: 'exit-at-once' });
  });

  it('refuses, naming the event, what plain shell cannot play', async () => {
    const scenario = await loadScenario('scenarios/node-exit-at-once.yml');
    const plan = (events: unknown[]) => () => reproPlan(scenario, parseSchedule(events, 'test'), 'x.yml');
    expect(refusal(plan([{ at: 0, signal: 'SIGHUP' }, { at: 100, kind: 'pause', duration: 500 }])).message).toMatch(
      /^events\[1\] \(\+100 ms pause 500 ms\): cannot be played by a plain shell script: a pause freezes the target/,
    );
    expect(refusal(plan([{ at: 100, kind: 'partition', duration: 500 }])).message).toMatch(/^events\[0\] .*partition.*: cannot be played .*: a partition cuts the network/);
    expect(refusal(plan([{ at: 100, kind: 'stop' }])).message).toMatch(/^events\[0\] \(\+100 ms stop\): cannot be played .*: a stop event plays the stop model's whole sequence/);
    expect(refusal(plan([{ at: 5, signal: 'SIGTERM', after: { log: 'listening' } }])).message).toMatch(/timed from "listening"/);
    expect(refusal(plan([{ at: 5, signal: 'SIGTERM', from: 'spawn' }])).message).toMatch(/timed from the spawn/);
  });

  it('refuses a target without a process form, one with dependencies, and a schedule a stop model would end', async () => {
    const docker = await loadScenario('scenarios/pid1-zombies.yml');
    expect(refusal(() => reproPlan(docker, [], 'pid1-zombies.yml')).message).toMatch(/^pid1-zombies\.yml: the target has no process form/);
    const stack = await loadScenario('scenarios/stack-ack-before-commit.yml');
    expect(refusal(() => reproPlan(stack, [], 'stack.yml')).message).toMatch(/^stack\.yml: the target needs \S+.*: a reproduction script starts the target alone/);
    const k8s = await loadScenario('scenarios/k8s-endpoint-lag.yml');
    expect(refusal(() => reproPlan(k8s, parseSchedule([{ at: 100, signal: 'SIGHUP' }], 't'), 'k8s.yml')).message).toMatch(/the kubernetes stop model would end it/);
  });
});

describe('reproduction script: the text', () => {
  it('quotes every word for sh, {port} and {data_dir} becoming the variables', () => {
    expect(shellWord("it's")).toBe(`'it'\\''s'`);
    expect(shellWord('--listen=127.0.0.1:{port}')).toBe(`'--listen=127.0.0.1:'"$PORT"`);
    expect(shellWord('{data_dir}/db')).toBe(`"$DATA_DIR"'/db'`);
    expect(shellWord('')).toBe("''");
  });

  it('is a sh script that parses, with the schedule, the contract and the start of the process form', async () => {
    const plan = await planFor('scenarios/real/haproxy-usr2.yml', [
      { at: 500, signal: 'SIGUSR2' },
      { at: 530, signal: 'SIGUSR1' },
    ]);
    const text = reproScript(plan, 7);
    expect(text.startsWith('#!/bin/sh\n')).toBe(true);
    expect(text).toContain('TIMES=${1:-7}');
    expect(text).toContain("  kill_at 0 500 main 0 1 SIGUSR2   # +500 ms SIGUSR2→main\n  kill_at 1 530 main 0 1 SIGUSR1");
    expect(text).toContain("EXIT_SIGUSR1='0'\nWITHIN_SIGUSR1=10000");
    expect(text).toContain(`cd '${resolve('scenarios/real')}' || exit 127`);
    expect(text).toContain(`exec $SETSID sh -c 'echo $$ > "$0"; exec "$@"' "$RUN/pid" 'sh' '../../targets/real/haproxy/run.sh'`);
    expect(text).toContain("request_loop GET '/big' 500 20000 &");
    expect(text.trimEnd().endsWith('main "$@"')).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'sigstorm-repro-unit-'));
    writeFileSync(join(dir, 'repro.sh'), text);
    expect((await execa('sh', ['-n', join(dir, 'repro.sh')], { reject: false })).exitCode).toBe(0);
  });

  it("starts the target at the lowest priority under an amplify variant's CPU limit, as the process backend does", async () => {
    const scenario = await loadScenario('scenarios/node-exit-at-once.yml');
    const starved = { ...scenario, target: { ...scenario.target, cpus: 0.5 } };
    const schedule = parseSchedule([{ at: 50, signal: 'SIGTERM' }], 't');
    expect(reproScript(reproPlan(starved, schedule, 'x.yml'), 1)).toContain(`exec $SETSID nice -n 19 sh -c 'echo $$ > "$0"; exec "$@"' "$RUN/pid" 'node'`);
    expect(reproScript(reproPlan(scenario, schedule, 'x.yml'), 1)).toContain(`exec $SETSID sh -c 'echo $$ > "$0"; exec "$@"' "$RUN/pid" 'node'`);
  });
});

describe('reproduction script: the verdict, as sh judges the files of a run', () => {
  /** Runs `judge` (a function of the script) in a run directory holding `files`; its output and status. */
  async function judged(judge: string, files: Record<string, string>, settings = '') {
    const run = mkdtempSync(join(tmpdir(), 'sigstorm-repro-judge-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(run, name), text);
    const script = `${REPRO_SHELL}\nRUN='${run}' T0=1000 GRACE_MS=10000 NO_REFUSALS_FOR_MS=0\n${settings}\n${judge}`;
    const result = await execa('sh', ['-c', script], { reject: false });
    return { out: result.stdout, status: result.exitCode };
  }

  // method path start end curl-exit status bytes header-bytes pretransfer first-byte total (seconds, as curl -w)
  const requests = [
    'GET /slow 10 600 0 200 5 100 0.000200 0.500000 0.500100', // answered before the signal
    'GET /slow 300 720 56 000 0 0 0.000200 0.000000 0.400000', // in flight at the signal (+700), reset: lost
    'GET /big 100 900 18 200 5000 100 0.000200 0.060000 0.790000', // cut mid-answer: lost
    'GET /slow 705 706 7 000 0 0 0.000000 0.000000 0.000100', // refused after the signal: allowed
    'GET /slow 690 706 56 000 0 0 0.000200 0.000000 0.008000', // sent 2 ms before, closed unanswered 8 ms later: a refusal
  ].join('\n');

  it('counts as lost what was sent before the first stop signal and failed, and any cut answer, with the time each took', async () => {
    const { out, status } = await judged('judge_requests', { requests: `${requests}\n`, term: 'SIGTERM 700 0\n' });
    expect(status).toBe(1);
    expect(out).toContain('lost: GET /slow sent at +320 ms, 380 ms before SIGTERM: reset (curl exit 56, status 000, 0 bytes), took 400 ms');
    expect(out).toContain('lost: GET /big sent at +110 ms, 590 ms before SIGTERM: truncated (curl exit 18, status 200, 5000 bytes), took 790 ms');
    expect(out).toContain('2 request(s) lost of 5 sent (4 sent before SIGTERM): 1 truncated, 1 reset');
  });

  it('passes a run whose requests all ended ok or were refused after the signal', async () => {
    const clean = requests.split('\n').filter((l) => !/ (56 000 0 0 0.000200 0.000000 0.400000|18 )/.test(l)).join('\n');
    const { out, status } = await judged('judge_requests', { requests: `${clean}\n`, term: 'SIGTERM 700 0\n' });
    expect(out).toContain('no request lost (3 sent, 2 of them before SIGTERM)');
    expect(status).toBe(0);
  });

  it('judges the exit against the expectation: the SIGKILL after the grace period, a wrong status, or as expected', async () => {
    const settings = "EXIT_SIGUSR1='0' WITHIN_SIGUSR1=10000";
    const killed = await judged('judge_exit', { term: 'SIGUSR1 530 1\n', killed: '10540\n', exit: '137 11560\n' }, settings);
    expect(killed.out).toBe('  still running 10010 ms after SIGUSR1 (+530 ms): this script sent SIGKILL, exit status 137; expected 0 within 10000 ms');
    expect(killed.status).toBe(1);
    const wrong = await judged('judge_exit', { term: 'SIGUSR1 530 1\n', exit: '1 2530\n' }, settings);
    expect(wrong.out).toBe('  exited with status 1 1000 ms after SIGUSR1 (+530 ms); expected 0 within 10000 ms');
    const ok = await judged('judge_exit', { term: 'SIGUSR1 530 1\n', exit: '0 4530\n' }, settings);
    expect([ok.out, ok.status]).toEqual(['  exited with status 0 3000 ms after SIGUSR1 (+530 ms), as expected', 0]);
    const unasked = await judged('judge_exit', { exit: '1 1300\n' }, settings);
    expect(unasked.out).toBe('  the target exited with status 1 at +300 ms without any signal that should stop it');
  });

  it('waits for a TCP readiness by a connect: ready once the port accepts, not while it refuses', async () => {
    const server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const open = (server.address() as AddressInfo).port;
    const probe = (port: number) => judged('if probe_ready; then echo ready; else echo not; fi', {}, `PORT=${port} READY_PATH='' READY_LOG='' READY_TCP=1`);
    try {
      expect((await probe(open)).out).toBe('ready');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect((await probe(open)).out).toBe('not'); // closed now: refused
    const plan = await planFor(tcpScenario(), [{ at: 500, signal: 'SIGTERM' }]);
    expect(plan.ready).toEqual({ tcp: true, timeoutMs: 30_000 });
    expect(reproScript(plan, 1)).toContain('\nREADY_TCP=1\n');
  });

  it('reads curl times to the millisecond without a subshell', async () => {
    const { out } = await judged('for t in 0.004512 4.039370 12 0.0005; do ms_of $t; printf "%s " $_ms; done', {});
    expect(out.trim()).toBe('4 4039 12000 0');
  });
});
