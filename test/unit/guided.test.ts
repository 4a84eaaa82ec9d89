import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCampaign } from '../../src/fuzz/campaign.js';
import { Corpus, CORPUS_SHARE, drawFromCorpus, LAG, randomFrom, type CorpusEntry } from '../../src/fuzz/corpus.js';
import { GuidedArbitrary } from '../../src/fuzz/guided-arbitrary.js';
import { mutate, withinSpace, type MutationKind, type MutationSpace } from '../../src/fuzz/mutation.js';
import { noveltyOf, observedLines } from '../../src/fuzz/novelty.js';
import { smallerSchedules } from '../../src/fuzz/smaller-schedules.js';
import type { TrialOutcome } from '../../src/fuzz/trial-fn.js';
import { loadScenario } from '../../src/scenario/load.js';
import { anchorOf, describeEvent, type FaultEvent, type Schedule } from '../../src/schedule/event.js';
import type { PlayedEvent } from '../../src/schedule/played.js';
import type { TrialRecord } from '../../src/trial/record.js';
import type { LedgerEntry } from '../../src/workload/ledger.js';

// Guided search: novelty (pure, over a record), mutations (pure, within the fault space), the corpus's draws (a pure
// function of the seed, the draw's number and the entries it may see), the arbitrary that puts them in place of one
// fast-check draw in three, and a campaign over fake trials whose bug only a mutation reaches.

const log = (atMs: number, text: string) => ({ atMs, stream: 'stdout' as const, text });

function record(extra: Partial<TrialRecord> = {}): TrialRecord {
  return {
    scenario: { name: 'demo', path: '/scenarios/demo.yml' },
    backend: 'process',
    runId: 'r1',
    expect: { SIGTERM: { kind: 'exit', exit: [0], within: 1000 }, SIGHUP: { kind: 'alive', settle: 500 } },
    oracles: { lost_requests: { no_refusals_for: 0 }, handles: { fd_slack: 8, allow_zombies: false, removed_on_exit: [] } },
    stopSignal: 'SIGTERM',
    stopGracePeriodMs: 3000,
    target: { id: '4242', pid: 4242 },
    readyAt: '2026-12-06T00:00:00.000Z',
    readyMonotonicMs: 1000,
    spawnToReadyMs: 20,
    schedule: [],
    events: [],
    checks: [],
    exit: { exitCode: 0, signal: null, status: 0, atMs: 3000, forcedKill: false, lingering: [] },
    samples: [],
    ledger: [],
    files: [],
    logs: [],
    ...extra,
  };
}

const sigterm = (atMs: number): PlayedEvent => ({
  at: atMs,
  kind: 'signal',
  signal: 'SIGTERM',
  to: 'main',
  origin: 'schedule',
  scheduledMs: atMs,
  deliveredMs: atMs,
  deliveries: [{ signal: 'SIGTERM', atMs }],
});

const request = (sentMs: number, endMs: number): LedgerEntry => ({ id: 1, kind: 'request', method: 'GET', path: '/x', connection: 'fresh', reused: false, sentMs, endMs, outcome: 'ok', bytes: 2 });

const signal = (at: number, s: FaultEvent & { kind: 'signal' } extends infer E ? Partial<E> : never = {}): FaultEvent => ({ at, kind: 'signal', signal: 'SIGTERM', to: 'main', ...s }) as FaultEvent;

const space: MutationSpace = {
  step: 25,
  horizonMax: 10_000,
  maxEvents: 3,
  signals: ['SIGTERM', 'SIGINT', 'SIGHUP'],
  terminating: ['SIGTERM', 'SIGINT'],
  recipients: ['main', 'group'],
  drawsStop: false,
};

describe('novelty of a judged trial', () => {
  it('names the exit status, near-misses, lines after the signal, the processes and the fault cells', () => {
    const logs = [log(-30, 'listening'), log(698, 'zoo: reopening logs'), log(720, 'draining 3 requests'), log(1398, 'zoo: reopening logs')];
    const proc = (comm: string) => ({ pid: 1, ppid: 0, pgid: 1, sid: 1, state: 'S', comm, fds: 4, startTime: 1 });
    const r = record({
      logs,
      events: [sigterm(700)],
      exit: { exitCode: null, signal: 'SIGTERM', status: 143, atMs: 1500, forcedKill: false, lingering: [] },
      ledger: [request(1400, 1497), request(100, 200)],
      samples: [{ atMs: 10, processes: [proc('server'), proc('flusher')] }],
    });
    const features = noveltyOf(r, [signal(700)], { step: 25, targetName: 'target' });
    expect(features).toContain('exit 143');
    expect(features).toContain('near: request ok ≤5 ms before the exit');
    expect(features).toContain('near: exit deadline 75% spent'); // 800 of 1000 ms
    expect(features).not.toContain('near: exit deadline 90% spent');
    expect(features).toContain('near: SIGTERM ≤2 ms after "zoo: reopening logs"');
    // a line printed in answer to the signal is not a near-miss: its gap is the target's reaction time
    expect(features.filter((f) => f.includes('draining') && f.startsWith('near'))).toEqual([]);
    expect(features).toContain('log after a signal: "draining # requests"');
    expect(features).toContain('processes flusher,server');
    expect(features).toContain('cell SIGTERM@28');
    // The same trial a few ms of jitter later shows the same features (buckets, not times).
    const later = record({ ...r, logs: logs.map((l) => ({ ...l, atMs: l.atMs + 0.4 })) });
    expect(noveltyOf(later, [signal(700)], { step: 25, targetName: 'target' })).toEqual(features);
  });

  it('keeps the lines after readiness as points to move to or anchor at, counting each text as `after: {nth}` does', () => {
    const logs = [log(-5, 'zoo: reopening logs'), log(100, 'zoo: reopening logs'), log(150, 'tick 1'), log(800, 'zoo: reopening logs'), log(3100, 'late')];
    expect(observedLines(record({ logs }), [signal(700)])).toEqual([
      { atMs: 100, log: 'zoo: reopening logs', nth: 1 },
      { atMs: 150, log: 'tick', nth: 1 },
      { atMs: 800, log: 'zoo: reopening logs', nth: 2 },
    ]);
  });
});

describe('mutations', () => {
  const lines = [
    { atMs: 698, log: 'zoo: reopening logs', nth: 1 },
    { atMs: 1398, log: 'zoo: reopening logs', nth: 2 },
  ];

  it('stay in the fault space, and make every kind of move over many draws', () => {
    const kinds = new Set<MutationKind>();
    for (let seed = 0; seed < 2000; seed++) {
      const base = { schedule: [signal(700), { at: 100, kind: 'pause', duration: 200 } as FaultEvent], lines };
      const m = mutate(base, randomFrom(seed), space);
      if (!m) continue;
      kinds.add(m.kind);
      expect(withinSpace(m.schedule, space)).toBe(true);
      expect(m.schedule).not.toEqual(base.schedule);
      for (const e of m.schedule) {
        if (e.kind === 'signal' && e.signal === 'SIGHUP') throw new Error('a terminating signal became one the target must survive');
        const anchor = anchorOf(e);
        if (anchor) expect(lines.map((l) => [l.log, l.nth])).toContainEqual([anchor.log, anchor.nth]);
        if (m.kind === 'to-line' && e.kind === 'signal') expect(e.at === 700 || (e.at >= 698 && e.at <= 708) || (e.at >= 1398 && e.at <= 1408)).toBe(true);
      }
    }
    expect([...kinds].sort()).toEqual(['anchor', 'other-signal', 'second-signal', 'shift', 'shift-far', 'to-line']);
  });

  it('under a stop model move only the faults the target must survive, and only in time or signal', () => {
    const stopSpace: MutationSpace = { ...space, drawsStop: true };
    const base = { schedule: [{ at: 100, kind: 'stop' } as FaultEvent, signal(300, { signal: 'SIGHUP' })], lines };
    for (let seed = 0; seed < 300; seed++) {
      const m = mutate(base, randomFrom(seed), stopSpace);
      if (!m) continue;
      expect(['shift', 'shift-far', 'other-signal']).toContain(m.kind);
      expect(m.schedule[0]).toEqual(base.schedule[0]);
      expect(m.schedule).toHaveLength(2);
    }
  });

  it('are refused outside the space: a signal not in it, a recipient not in it, a time past horizon_max, too many events', () => {
    expect(withinSpace([signal(10, { signal: 'SIGUSR1' })], space)).toBe(false);
    expect(withinSpace([signal(10, { to: 'all' })], space)).toBe(false);
    expect(withinSpace([signal(10_001)], space)).toBe(false);
    expect(withinSpace([signal(1), signal(2), signal(3), signal(4)], space)).toBe(false);
    expect(withinSpace([{ at: 0, kind: 'race', signals: ['SIGTERM', 'SIGHUP'], to: 'main' }], space)).toBe(false);
    expect(withinSpace([signal(10), signal(20, { after: { log: 'x', nth: 1, within: 5000 } })], space)).toBe(true);
  });
});

describe('draws from the corpus', () => {
  const entry = (run: number, at: number): CorpusEntry => ({ run, schedule: [signal(at)], novel: ['exit 143'], lines: [{ atMs: at - 2, log: 'zoo: reopening logs', nth: 1 }] });

  it('are a function of the seed, the draw and the entries judged LAG runs before it', () => {
    const entries = [entry(0, 700), entry(5, 1400)];
    const at = (run: number, list: CorpusEntry[], seed = 9) => drawFromCorpus(list, seed, run, space);
    for (let run = 0; run < 200; run++) {
      expect(at(run, entries)).toEqual(at(run, entries));
      // An entry judged at run r is seen from draw r + LAG + 1 on: later entries do not change a draw.
      expect(at(run, [...entries, entry(Math.max(0, run - LAG), 50)])).toEqual(at(run, entries));
      if (run <= LAG) expect(at(run, entries)).toBeUndefined();
      if (run <= LAG + 5) expect(at(run, entries)?.from ?? 0).toBe(0);
    }
    const drawn = Array.from({ length: 3000 }, (_, i) => at(100 + i, entries)).filter(Boolean).length;
    // About a third (the PRNG is fixed: this is the same count every time); a few draws find no mutation that applies.
    expect(drawn / 3000).toBeGreaterThan(CORPUS_SHARE - 0.05);
    expect(drawn / 3000).toBeLessThan(CORPUS_SHARE + 0.03);
    expect(at(200, entries, 9)).not.toEqual(at(200, entries, 10) ?? 'another seed, another draw');
  });

  it('are kept in the order schedules are judged, whatever order their trials end in', () => {
    const exit143 = (s: Schedule): TrialOutcome => ({ kind: 'pass', record: record({ exit: { ...record().exit, status: s[0]!.at > 500 ? 143 : 0 } }) });
    const fill = (order: number[]) => {
      const corpus = new Corpus(1, space, { step: 25, targetName: 'target' });
      const schedules = [[signal(100)], [signal(600)], [signal(125)]];
      for (const i of order) corpus.trialEnded(schedules[i]!, exit143(schedules[i]!));
      schedules.forEach((s, run) => corpus.judged(run, s));
      return corpus.entries.map((e) => [e.run, e.novel]);
    };
    expect(fill([2, 0, 1])).toEqual(fill([0, 1, 2]));
    expect(fill([0, 1, 2])).toEqual([
      [0, ['exit 0', 'cell SIGTERM@4']],
      [1, ['exit 143', 'cell SIGTERM@24']],
      [2, ['cell SIGTERM@5']],
    ]);
  });
});

describe('the guided arbitrary', () => {
  const inner = fc.array(fc.record({ at: fc.integer({ min: 0, max: 60 }).map((n) => n * 25), kind: fc.constant('signal' as const), signal: fc.constant('SIGTERM' as const), to: fc.constant('main') }), { minLength: 1, maxLength: 3 }) as fc.Arbitrary<Schedule>;
  const mutated: Schedule = [signal(703, { after: undefined }), signal(1100, { signal: 'SIGINT' })];

  it('draws what fast-check draws for the same seed, but where the corpus gives a schedule', () => {
    const plain = fc.sample(inner, { seed: 42, numRuns: 30 });
    const guided = fc.sample(new GuidedArbitrary(inner, (j) => (j % 3 === 2 ? mutated : undefined), 25), { seed: 42, numRuns: 30 });
    guided.forEach((s, j) => expect(s).toEqual(j % 3 === 2 ? mutated : plain[j]));
  });

  it('shrinks fast-check’s draws as fast-check does, and the corpus’s through smaller schedules', () => {
    const failing = (s: Schedule) => s.some((e) => e.at >= 700);
    const run = (arbitrary: fc.Arbitrary<Schedule>) => fc.check(fc.property(arbitrary, (s) => !failing(s)), { seed: 3, numRuns: 200 });
    const plain = run(inner);
    const guidedNever = run(new GuidedArbitrary(inner, () => undefined, 25));
    expect(guidedNever.counterexample).toEqual(plain.counterexample);
    expect(guidedNever.numShrinks).toBe(plain.numShrinks);
    // The first draw from the corpus fails; it shrinks to one event at the coarse time that still fails.
    const fromCorpus = run(new GuidedArbitrary(inner, (j) => (j === 0 ? mutated : undefined), 25));
    expect(fromCorpus.counterexample).toEqual([[signal(700, { signal: 'SIGINT' })]]);
  });

  it('lists smaller schedules: fewer events, milder ones, earlier and coarser times', () => {
    const anchored = signal(3, { after: { log: 'zoo: reopening logs', nth: 2, within: 10_000 } });
    const race: FaultEvent = { at: 710, kind: 'race', signals: ['SIGTERM', 'SIGINT'], to: 'main' };
    const smaller = smallerSchedules([anchored, race], 25).map((s) => s.map(describeEvent).join('; '));
    expect(smaller.slice(0, 2)).toEqual(['+710 ms race SIGTERM+SIGINT→main', '+3 ms after line #2 with "zoo: reopening logs" SIGTERM→main']);
    expect(smaller).toContain('+3 ms SIGTERM→main; +710 ms race SIGTERM+SIGINT→main');
    expect(smaller).toContain('+3 ms after line #2 with "zoo: reopening logs" SIGTERM→main; +710 ms SIGTERM→main');
    expect(smaller).toContain('+3 ms after line #2 with "zoo: reopening logs" SIGTERM→main; +700 ms race SIGTERM+SIGINT→main');
    expect(smaller).toContain('+0 ms after line #2 with "zoo: reopening logs" SIGTERM→main; +710 ms race SIGTERM+SIGINT→main');
    expect(smallerSchedules([signal(0)], 25)).toEqual([]);
  });
});

// A fake target: it prints "zoo: reopening logs" every 700 ms from +100 ms, and a SIGTERM 1 to 4 ms after such a line,
// the first aside, kills it (143). No time on the 25 ms grid lands there, nor on the 5 ms grid near a failure (none
// yet), nor a draw around the first line or anchored on it (the time space's anchors are the first line of each kind):
// only a mutation moves a signal into the window.
const LINES = Array.from({ length: 15 }, (_, k) => 100 + 700 * k);
function fakeTrial(schedule: Schedule): TrialOutcome {
  const times = schedule.map((e) => {
    const anchor = anchorOf(e);
    return anchor ? LINES[anchor.nth - 1]! + e.at : e.at;
  });
  const terms = schedule.flatMap((e, i) => (e.kind === 'signal' && e.signal === 'SIGTERM' ? [times[i]!] : [])).sort((a, b) => a - b);
  const first = terms[0];
  const dies = first !== undefined && LINES.slice(1).some((t) => first - t >= 1 && first - t <= 4);
  const exitAt = first === undefined ? 5000 : first + (dies ? 0 : 300);
  const r = record({
    logs: LINES.filter((t) => t < exitAt).map((t) => log(t, 'zoo: reopening logs')),
    events: terms.map((t) => sigterm(t)),
    exit: { exitCode: dies ? null : 0, signal: dies ? 'SIGTERM' : null, status: dies ? 143 : 0, atMs: exitAt, forcedKill: false, lingering: [] },
  });
  return dies
    ? { kind: 'fail', signatures: ['exit-status/wrong-status'], failures: [{ oracle: 'exit-status', verdict: 'fail', kind: 'wrong-status', message: '143' }], record: r }
    : { kind: 'pass', record: r };
}

describe('a guided campaign', () => {
  it('finds a window only a mutation reaches, shrinks and confirms it, and draws the same at --parallel 1 and 4', async () => {
    const scenario = await loadScenario('scenarios/reopen-window.yml');
    const campaign = async (parallel: number, guided: boolean, seed: number) => {
      const trial = async (schedule: Schedule): Promise<TrialOutcome> => {
        await new Promise((r) => setTimeout(r, Math.random() * 3));
        return fakeTrial(schedule);
      };
      return (await runCampaign(scenario, () => trial, { parallel, seed, runs: 200, budgetMs: 120_000, confirmRuns: 4, guided })).summary;
    };
    for (const seed of [3, 4]) {
      const uniform = await campaign(1, false, seed);
      expect(uniform.verdict, JSON.stringify(uniform.outcome)).toBe('pass');
      expect(uniform.guided).toBeUndefined();
      const one = await campaign(1, true, seed);
      const four = await campaign(4, true, seed);
      expect(one.verdict).toBe('fail');
      if (one.outcome.kind !== 'failed' || four.outcome.kind !== 'failed') throw new Error('both must fail');
      expect(one.guided!.fromCorpus).toBeGreaterThan(0);
      expect(one.guided!.firstFailureFromCorpus).toBe(true); // nothing but a mutation reaches the window
      expect(four.outcome.original).toEqual(one.outcome.original);
      expect(four.outcome.minimal).toEqual(one.outcome.minimal);
      expect(four.schedulesTried).toBe(one.schedulesTried);
      expect(four.guided).toEqual(one.guided);
      // The minimal schedule still fails every time (the window is deterministic here), and is no larger.
      expect(one.outcome.reproduction.failed).toBe(one.outcome.reproduction.runs);
      expect(one.outcome.minimal.length).toBeLessThanOrEqual(one.outcome.original.length);
      expect(fakeTrial(one.outcome.minimal).kind).toBe('fail');
    }
  });
});
