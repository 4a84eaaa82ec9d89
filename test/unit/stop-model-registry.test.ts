import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scheduleArbitrary } from '../../src/fuzz/arbitrary.js';
import { killer } from '../../src/oracles/terminating.js';
import { toMarkdown } from '../../src/report/markdown.js';
import { resultSet } from '../../src/report/result.js';
import { scenarioJsonSchema } from '../../src/scenario/json-schema.js';
import { loadScenario, ScenarioError } from '../../src/scenario/load.js';
import { describeStopModel, registerStopModel, stopModelOf, stopModels } from '../../src/stop-models/registry.js';
import { playStop, type StopStage } from '../../src/trial/stop-sequence.js';
import { now, sleepUntil } from '../../src/time.js';
import { usr2ThenKill } from '../fixtures/stop-models/usr2-then-kill.js';
import { tempFiles } from '../helpers/files.js';

// A fifth stop model is one file (test/fixtures/stop-models/usr2-then-kill.ts) and this one line: nothing else of
// sigstorm changes for a scenario to name it, the fuzzer to draw its stop, the trial to play it and reports to say so.
registerStopModel(usr2ThenKill);

const SCENARIO = `target:
  image: local/app:1
  ports: [8080]
  ready: { http: /healthz }
stop: { model: usr2-then-kill }
expect:
  SIGTERM: { exit: [0] }
`;

const load = (text = SCENARIO) => loadScenario(join(tempFiles({ 'scenario.yml': text }), 'scenario.yml'));

describe('a stop model registered by one line', () => {
  it('is a scenario\'s stop: its contract gives the stop signal and grace period, and describe names it', async () => {
    const scenario = await load();
    expect(scenario.stop).toEqual({ model: 'usr2-then-kill' });
    expect([scenario.target.stopSignal, scenario.target.stopGracePeriod]).toEqual(['SIGUSR2', 1000]);
    expect(scenario.faults.signals[0]).toBe('SIGUSR2');
    expect(describeStopModel(scenario.stop)).toBe('usr2-then-kill: SIGUSR2, SIGKILL after 1 s');
    expect(stopModels().map((m) => m.name)).toEqual(['docker', 'kubernetes', 'systemd', 'supervisord', 'usr2-then-kill']);
  });

  it('takes no key of its own but model, like any other branch of stop:, and is in the JSON Schema', async () => {
    const error = await load(SCENARIO.replace('{ model: usr2-then-kill }', '{ model: usr2-then-kill, grace: 5s }')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).problems).toMatchObject([{ line: 5, keyPath: 'stop.grace', message: 'unknown key; expected one of: model' }]);
    const stop = (scenarioJsonSchema().properties as Record<string, { description: string }>).stop!;
    expect(JSON.stringify(stop)).toContain('"const":"usr2-then-kill"');
    expect(stop.description).toContain('`model: docker` (the default), `kubernetes`, `systemd`, `supervisord` or `usr2-then-kill`');
  });

  it('refuses a second model of the same name', () => {
    expect(() => registerStopModel(usr2ThenKill)).toThrow(/usr2-then-kill is registered already/);
  });

  it('puts one stop event in each schedule the fuzzer draws', async () => {
    const scenario = await load();
    for (const schedule of fc.sample(scheduleArbitrary(scenario), { seed: 3, numRuns: 50 })) {
      expect(schedule.filter((e) => e.kind === 'stop')).toHaveLength(1);
    }
  });

  it('is played as its plan says: SIGUSR2 to the main process, SIGKILL to all of the target 1 s later', async () => {
    const scenario = await load();
    const originMs = now();
    const sent: { signal: string; atMs: number }[] = [];
    let gone = false;
    const exit = { exitCode: null, signal: 'SIGKILL', atMs: 0 };
    // A target that ignores SIGUSR2 and goes only when killed.
    const target = {
      pid: 4242,
      mainExit: undefined,
      exited: new Promise(() => {}),
      waitGone: async (untilMs: number, abort?: AbortSignal) => (gone ? exit : (await sleepUntil(untilMs, abort), gone ? exit : undefined)),
      processes: () => [{ pid: 4242, ppid: 1, pgid: 4242, sid: 4242, state: 'S', comm: 'probe', fds: 4, startTime: 1 }],
      kill: async () => ((gone = true), sent.push({ signal: 'SIGKILL', atMs: now() - originMs }), exit),
    };
    const player = {
      playNow: async (event: { signal: string }) => (sent.push({ signal: event.signal, atMs: now() - originMs }), { ...event, deliveredMs: now() - originMs }),
    };
    const stage = { target, player, originMs, origin: 'teardown', heal: async () => {}, stopTraffic: () => {} } as unknown as StopStage;
    const outcome = await playStop(scenario.stop, stage);
    expect(sent.map((s) => s.signal)).toEqual(['SIGUSR2', 'SIGKILL']);
    const { record } = outcome;
    // The kill is due 1 s after SIGUSR2's delivery (the plan's instant, in the record) and not sent before; when a
    // busy machine's timer woke after that is not the model's rule.
    const [, signalled, finalKill] = record.steps;
    expect(finalKill!.dueMs! - signalled!.atMs).toBeCloseTo(1000, 3);
    expect(sent[1]!.atMs).toBeGreaterThanOrEqual(finalKill!.dueMs!);
    expect(record).toMatchObject({ model: 'usr2-then-kill', settings: { model: 'usr2-then-kill' } });
    expect(record.steps.map((s) => [s.step, s.detail])).toEqual([
      ['begin', undefined],
      ['signal', 'SIGUSR2→main'],
      ['final-kill', 'SIGKILL→all'],
    ]);
    expect(outcome.killedAtMs).toBeDefined();
    expect(killer({ stop: record })).toBe('the usr2-then-kill orchestrator');
    expect(stopModelOf(record.settings!)).toBe(usr2ThenKill);
    // Reports spell its steps out, as for any model but docker stop.
    const markdown = toMarkdown(resultSet([{ scenario: { name: 's', path: 's.yml' }, command: 'run', verdict: 'fail', exitCode: 1, durationMs: 1, trialsRun: 1, steps: [], failures: [], trial: { stop: record } } as never]));
    expect(markdown).toMatch(/ ms signal SIGUSR2→main\n.* ms final kill SIGKILL→all/);
  });
});
