import fc from 'fast-check';
import { anchorOf, fromSpawn, type FaultEvent, type Schedule } from '../schedule/event.js';
import type { Dependency, FaultSpace, Scenario } from '../scenario/types.js';
import type { SignalName } from '../signals.js';
import type { FuzzHints } from '../stop-models/model.js';
import { stopModelOf } from '../stop-models/registry.js';
import { rolloutArbitrary } from './rollout-arbitrary.js';
import { FINE_PARTS, initialTimeSpace, NEAR_STEPS, type TimeSpace } from './time-space.js';

/**
 * Schedules drawn from a scenario's fault space, shaped to shrink well: times are multiples of a coarse step and
 * shrink towards readiness; in every choice the mildest option comes first (a plain signal before a race, `main`
 * before `group`, the stop signal before the others); events are sorted by the property, not by `.map`, so
 * shrinking one event's time never reorders the others' identity. Times are biased towards where shutdown bugs
 * live: right after readiness, and a few steps after another event (a second signal during a drain).
 */
type ScenarioSpace = Pick<Scenario, 'faults' | 'expect' | 'target'> & Partial<Pick<Scenario, 'dependencies' | 'stop' | 'workload' | 'rollout'>>;

/** A start-up this long (spawn to ready) or longer puts its window in the fault space unless `faults.startup: false`. */
export const STARTUP_SLOW_MS = 1000;

/** How long the start-up window is (ms from spawn), given the measured spawn-to-ready time; undefined: not in the space. */
export function startupWindow(space: FaultSpace, measuredMs: number | undefined): number | undefined {
  if (space.startup === false || measuredMs === undefined) return undefined;
  if (space.startup === undefined && measuredMs < STARTUP_SLOW_MS) return undefined;
  return measuredMs;
}

/**
 * With `startupMs` (the measured spawn-to-ready time, once known), schedules may also hold signals timed from spawn
 * within the start-up window: read at each generation, so schedules drawn before the first measurement have none.
 * With `timeSpace` (a campaign's, time-space.ts), times are drawn where it says, also read at each generation;
 * without it, or while it is the fault space's own, they are drawn as they always were.
 */
export function scheduleArbitrary(scenario: ScenarioSpace, startupMs?: () => number | undefined, timeSpace?: () => TimeSpace): fc.Arbitrary<Schedule> {
  const startup = scenario.faults.startup === false ? undefined : startupMs;
  if (!startup && !timeSpace) return drawn(scenario);
  const built = new Map<string, fc.Arbitrary<Schedule>>();
  return fc.constant(null).chain(() => {
    const window = startup ? startupWindow(scenario.faults, startup()) : undefined;
    const times = timeSpace?.() ?? initialTimeSpace(scenario.faults);
    const key = JSON.stringify([window ?? null, times]);
    if (!built.has(key)) built.set(key, drawn(scenario, window, times));
    return built.get(key)!;
  });
}

function drawn(scenario: ScenarioSpace, startupMs?: number, times: TimeSpace = initialTimeSpace(scenario.faults)): fc.Arbitrary<Schedule> {
  const space = scenario.faults;
  const time = timeArbitrary(space.step, times);
  const kinds = eventKinds(scenario, time);
  const hints = scenario.stop ? stopModelOf(scenario.stop).fuzz(scenario.stop) : undefined;
  if (scenario.rollout) {
    const { terminating, survivable } = kinds;
    return rolloutArbitrary({ rollout: scenario.rollout, faults: space, time, terminating, survivable, signalAfterMs: hints?.signalAfterMs });
  }
  if (hints?.drawsStop) {
    const { survivable, terminating, race, storm, lasting } = kinds;
    const survivableKinds = [...(survivable.length ? [kinds.plain(survivable)] : []), ...(storm ? [storm] : []), ...lasting];
    const terminatingKinds = terminating.length ? [kinds.plain(terminating), ...(race ? [race] : [])] : [];
    return stopSequence(hints, space, time, {
      survivable: survivableKinds.length ? fc.oneof({ withCrossShrink: true }, ...survivableKinds) : undefined,
      terminating: terminatingKinds.length ? fc.oneof({ withCrossShrink: true }, ...terminatingKinds) : undefined,
      lasting: lasting.length ? fc.oneof(...lasting) : undefined,
    });
  }
  const anchored = [anchoredSignal(kinds, space.step, times), requestAnchored(scenario, kinds, times)].filter((a) => a !== undefined);
  return withoutStopEvent(scenario, time, { ...kinds, anchored }, startupMs, times.scout);
}

/**
 * A signal timed from a line the target printed on its own (`after: {log}`) or from a file it wrote in its data
 * directory (`after: {file}`): windows a line announces ("reopening logs") or a flush opens start right after it, and
 * are often a few ms long, so three times in four the signal comes 0 to a step after it to the ms, else 0 to NEAR_STEPS
 * steps after it on the fine grid (a fifth of the step). It waits for its line or write up to the horizon.
 * Drawn last among the kinds: by cross-shrinking it first tries a plain signal, dropping its anchor.
 */
function anchoredSignal(kinds: EventKinds, step: number, times: TimeSpace): fc.Arbitrary<FaultEvent> | undefined {
  const within = fc.constant(times.horizon);
  const anchors = [
    ...(times.anchors?.length ? [fc.record({ log: fc.constantFrom(...times.anchors), nth: fc.constant(1), within })] : []),
    ...(times.files?.length ? [fc.record({ file: fc.constantFrom(...times.files), nth: fc.constant(1), within })] : []),
  ];
  if (!anchors.length) return undefined;
  const fine = Math.max(1, Math.round(step / FINE_PARTS));
  const at = fc.oneof(
    { withCrossShrink: true },
    { weight: 3, arbitrary: fc.integer({ min: 0, max: step }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: NEAR_STEPS * FINE_PARTS }).map((n) => n * fine) },
  );
  return fc.record({ at, after: fc.oneof(...anchors), kind: fc.constant('signal' as const), signal: fc.constantFrom(...kinds.signals), to: fc.constantFrom(...kinds.to) });
}

/**
 * A signal timed from a request of the workload's HTTP streams (`after: {request, path, phase}`): the nth request to
 * one of their paths, n up to what the stream sends within the horizon, `sent` (in flight) or at its first response
 * byte, and 0 to a step after it on a 1 ms grid (three times in four) or 0 to NEAR_STEPS steps on the step grid: a
 * window a request opens lies within its handling, a few ms long. Drawn once the time space says so; last among the
 * kinds, so by cross-shrinking it first tries a plain signal, then a coarser and earlier time, then an earlier request.
 */
function requestAnchored(scenario: ScenarioSpace, kinds: EventKinds, times: TimeSpace): fc.Arbitrary<FaultEvent> | undefined {
  const { workload } = scenario;
  const streams = [...(workload?.requests ?? []), ...(workload?.writes ? [workload.writes] : [])];
  if (!times.requestAnchors || streams.length === 0) return undefined;
  const step = scenario.faults.step;
  const request = fc.oneof(
    ...streams.map((s) =>
      fc.record({
        request: fc.integer({ min: 1, max: Math.max(1, Math.floor((s.rate * times.horizon) / 1000)) }),
        path: fc.constant(s.path),
        phase: fc.constantFrom('sent' as const, 'response' as const),
        // the last one drawn is sent about a period before the horizon; waited for up to the furthest time drawn, which
        // a trial's worst case (the budget) counts
        within: fc.constant(times.scout),
      }),
    ),
  );
  const at = fc.oneof(
    { withCrossShrink: true },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: NEAR_STEPS }).map((n) => n * step) },
    { weight: 3, arbitrary: fc.integer({ min: 0, max: step }) },
  );
  return fc.record({ at, after: request, kind: fc.constant('signal' as const), signal: fc.constantFrom(...kinds.signals), to: fc.constantFrom(...kinds.to) });
}

/**
 * Times on the step grid: uniform within the horizon, or within the first 8 steps (just after readiness); when the
 * time space scouts, one time in six uniform between the horizon and its scouting reach; around the instants of the
 * target's own activity it saw, one more share to the ms within a step of one; when it suspects failure boundaries, two more shares on a
 * finer grid near one. All shrink towards readiness; one drawn finely or scouting
 * first tries a time of the coarse grid within the horizon (cross-shrinking), then coarser and earlier ones.
 */
function timeArbitrary(step: number, times: TimeSpace): fc.Arbitrary<number> {
  const steps = Math.max(1, Math.floor(times.horizon / step));
  const onGrid = (arbitrary: fc.Arbitrary<number>) => arbitrary.map((n) => n * step);
  // scouting draws beyond the horizon only: within it the coarse draws already look
  const scouting = times.scout > times.horizon ? [{ weight: 1, arbitrary: onGrid(fc.integer({ min: steps + 1, max: Math.max(steps + 1, Math.floor(times.scout / step)) })) }] : [];
  const near = times.near.length ? [{ weight: 2, arbitrary: fc.oneof(...times.near.map((ms) => nearTime(ms, step, times.fine))) }] : [];
  const around = (ms: number) => fc.integer({ min: Math.max(0, ms - step), max: ms + step });
  const activity = times.activity?.length ? [{ weight: 1, arbitrary: fc.oneof(...times.activity.map(around)) }] : [];
  const coarse = [
    { weight: 3, arbitrary: onGrid(fc.integer({ min: 0, max: steps })) },
    { weight: 2, arbitrary: onGrid(fc.integer({ min: 0, max: Math.min(steps, 8) })) }, // just after readiness
  ];
  const finer = [...scouting, ...near, ...activity];
  return finer.length ? fc.oneof({ withCrossShrink: true }, ...coarse, ...finer) : fc.oneof(...coarse);
}

/**
 * A time within NEAR_STEPS steps of `ms`, on a grid `fine` apart: a point of the coarse grid and a signed fine offset
 * from it. They shrink in this order: to the nearest coarse point first (the middle of a window rather than its edge,
 * where jitter loses it), then to earlier points of the neighbourhood.
 */
function nearTime(ms: number, step: number, fine: number): fc.Arbitrary<number> {
  const at = Math.round(ms / step);
  const parts = Math.max(1, Math.round(step / fine));
  const offset = fc.integer({ min: -Math.floor((parts - 1) / 2), max: Math.ceil((parts - 1) / 2) });
  return fc
    .tuple(offset, fc.integer({ min: Math.max(0, at - NEAR_STEPS), max: at + NEAR_STEPS }))
    .map(([k, n]) => Math.max(0, n * step + k * fine));
}

/** The kinds of event the fault space allows, by what the contract expects of their signals. */
interface EventKinds {
  /** The signals of the space, the stop signal first; those that must stop the target, and those it must survive. */
  signals: SignalName[];
  terminating: SignalName[];
  survivable: SignalName[];
  plain: (list: SignalName[]) => fc.Arbitrary<FaultEvent>;
  race?: fc.Arbitrary<FaultEvent>;
  storm?: fc.Arbitrary<FaultEvent>;
  /** Pauses and partitions. */
  lasting: fc.Arbitrary<FaultEvent>[];
  /** The recipients of the space. */
  to: FaultSpace['to'];
  /** Signals timed from a line of the target's output, once lines are known, and from a request (time-space.ts). */
  anchored?: fc.Arbitrary<FaultEvent>[];
}

function eventKinds(scenario: ScenarioSpace, time: fc.Arbitrary<number>): EventKinds {
  const space = scenario.faults;
  const signals = mildestFirst(space.signals, scenario.target.stopSignal);
  const terminating = signals.filter((s) => s === 'SIGKILL' || scenario.expect[s]?.kind === 'exit');
  const survivable = signals.filter((s) => scenario.expect[s]?.kind === 'alive');
  const to = fc.constantFrom(...space.to);
  const plain = (list: SignalName[]) => fc.record({ at: time, kind: fc.constant('signal' as const), signal: fc.constantFrom(...list), to });
  const race =
    space.races && terminating.length >= 2
      ? fc.record({ at: time, kind: fc.constant('race' as const), signals: fc.shuffledSubarray(terminating, { minLength: 2, maxLength: 2 }), to })
      : undefined;
  const storm =
    space.storms && survivable.length > 0
      ? fc.record({
          at: time,
          kind: fc.constant('storm' as const),
          signals: fc.subarray(survivable, { minLength: 1 }),
          count: fc.integer({ min: 2, max: 20 }),
          spacing: fc.constantFrom(10, 5, 1, 25),
          to,
        })
      : undefined;
  const lasting: fc.Arbitrary<FaultEvent>[] = [];
  if (space.pauses) {
    lasting.push(fc.record({ at: time, kind: fc.constant('pause' as const), duration: fc.integer({ min: 1, max: 40 }).map((n) => n * 50) }));
  }
  if (space.partitions) lasting.push(partition(time));
  return { signals, terminating, survivable, plain, ...(race ? { race } : {}), ...(storm ? { storm } : {}), lasting, to: space.to };
}

/**
 * Schedules without a stop event (the model's stop, docker stop, ends each at the end): the target's events, perhaps
 * during its start-up and some closely after another, and each dependency's.
 */
function withoutStopEvent(scenario: ScenarioSpace, time: fc.Arbitrary<number>, kinds: EventKinds, startupMs: number | undefined, latestMs: number): fc.Arbitrary<Schedule> {
  const space = scenario.faults;
  const { signals, race, storm, lasting, anchored } = kinds;
  const signalKinds: fc.Arbitrary<FaultEvent>[] = [kinds.plain(signals), ...(race ? [race] : []), ...(storm ? [storm] : [])];
  const all = [...signalKinds, ...lasting, ...(anchored ?? [])];
  // Cross-shrinking lets a race, storm, pause or partition shrink into the plain signal that comes first.
  const event = fc.oneof({ withCrossShrink: true }, ...all);
  // Signals during the start-up: timed from spawn, shrinking towards its end (the latest time, nearest readiness).
  const atStartup =
    startupMs === undefined
      ? undefined
      : fc
          .tuple(fc.oneof({ withCrossShrink: true }, ...signalKinds), fc.integer({ min: 0, max: Math.max(0, Math.floor(startupMs / space.step) - 1) }))
          .map(([e, n]) => ({ ...e, from: 'spawn', at: Math.max(space.step, Math.floor(startupMs / space.step) * space.step - n * space.step) }) as FaultEvent);
  // A follow-up lands a few steps after the previous event: second signals during a drain, races with a reload.
  const followUp = fc.tuple(event, fc.integer({ min: 1, max: 6 })).map(([e, gap]) => ({ ...e, at: -gap * space.step }) as FaultEvent);
  const targetEvents = fc
    .array(
      fc.oneof(
        { withCrossShrink: true },
        { weight: 3, arbitrary: event },
        { weight: 1, arbitrary: followUp },
        ...(atStartup ? [{ weight: 2, arbitrary: atStartup }] : []),
      ),
      {
      minLength: 1,
      maxLength: space.maxEvents,
    })
    .map((events) => resolveFollowUps(events, latestMs));
  const services = (scenario.dependencies ?? []).flatMap((d) => {
    const drawn = serviceEvents(d, space, time, scenario.target.name);
    return drawn ? [fc.array(drawn, { maxLength: space.maxEvents })] : [];
  });
  if (services.length === 0) return targetEvents;
  // One list per dependency, ahead of the target's: fast-check shrinks a tuple's parts in order and an array first
  // to empty, so a failure is first tried without each whole service's faults. The target's events are kept first.
  return fc
    .tuple(...services, targetEvents)
    .map((lists) => [...lists.at(-1)!, ...lists.slice(0, -1).flat()].slice(0, space.maxEvents));
}

/**
 * Under a stop model the orchestrator's stop is the heart of every schedule: one stop event, its endpoint-removal lag
 * drawn up to the scenario's (a model whose endpoints lag, such as Kubernetes; shrinking towards none), faults the
 * target must survive before and during it (a pause or partition a few steps into it, with `pauses`, `partitions`),
 * and perhaps a second terminating signal a few steps after the model's own (a second controller, a SIGINT). No
 * terminating signal is drawn before the model's: that would be another stop, not this one. (Dependencies' faults and
 * start-up signals are not drawn here.)
 */
function stopSequence(
  hints: FuzzHints,
  space: FaultSpace,
  time: fc.Arbitrary<number>,
  events: { survivable?: fc.Arbitrary<FaultEvent> | undefined; terminating?: fc.Arbitrary<FaultEvent> | undefined; lasting?: fc.Arbitrary<FaultEvent> | undefined },
): fc.Arbitrary<Schedule> {
  const lag = hints.endpointLagMs === undefined ? undefined : Math.floor(hints.endpointLagMs / space.step);
  const toSignal = hints.signalAfterMs;
  // at least a step after the model's own signal, whose instant is known only to a few ms
  const second = toSignal === undefined || !events.terminating ? fc.constant(null) : fc.option(fc.tuple(events.terminating, fc.integer({ min: 1, max: 8 })));
  return fc
    .record({
      at: time,
      lag: lag === undefined ? fc.constant(undefined) : fc.integer({ min: 0, max: lag }),
      before: events.survivable ? fc.array(events.survivable, { maxLength: Math.max(0, space.maxEvents - 1) }) : fc.constant([]),
      second,
      // a pause or partition a few steps into the sequence: during preStop, or the drain
      during: events.lasting ? fc.option(fc.tuple(events.lasting, fc.integer({ min: 0, max: 8 }))) : fc.constant(null),
    })
    .map(({ at, lag, before, second, during }) => [
      ...before,
      { at, kind: 'stop' as const, ...(lag !== undefined ? { endpoint_delay: lag * space.step } : {}) },
      ...(second ? [{ ...second[0], at: at + toSignal! + second[1] * space.step } as FaultEvent] : []),
      ...(during ? [{ ...during[0], at: at + during[1] * space.step } as FaultEvent] : []),
    ]);
}

/**
 * The faults one dependency takes: partitions on its edge with the target (with `partitions`), and, when
 * `faults.services` names it, its stop signal and declared signals, and pauses (with `pauses`). Undefined: none.
 */
function serviceEvents(d: Dependency, space: FaultSpace, time: fc.Arbitrary<number>, targetName: string): fc.Arbitrary<FaultEvent> | undefined {
  const kinds: fc.Arbitrary<FaultEvent>[] = [];
  if (space.services.includes(d.name)) {
    const signals = mildestFirst([d.stopSignal, ...(Object.keys(d.expect) as SignalName[])], d.stopSignal);
    kinds.push(fc.record({ at: time, kind: fc.constant('signal' as const), signal: fc.constantFrom(...signals), to: fc.constant(d.name) }));
    if (space.pauses) {
      kinds.push(fc.record({ at: time, kind: fc.constant('pause' as const), to: fc.constant(d.name), duration: fc.integer({ min: 1, max: 40 }).map((n) => n * 50) }));
    }
  }
  if (space.partitions) kinds.push(partition(time, [targetName, d.name]));
  return kinds.length ? fc.oneof(...kinds) : undefined;
}

/** A partition of the workload's link to the target, or of the edge `between` two services. */
function partition(time: fc.Arbitrary<number>, between?: [string, string]): fc.Arbitrary<FaultEvent> {
  return fc.record({
    at: time,
    kind: fc.constant('partition' as const),
    ...(between ? { between: fc.constant(between) } : {}),
    direction: fc.constantFrom('both' as const, 'in' as const, 'out' as const),
    mode: fc.constantFrom('drop' as const, 'reject' as const),
    duration: fc.integer({ min: 1, max: 40 }).map((n) => n * 50),
  }) as fc.Arbitrary<FaultEvent>;
}

/**
 * Follow-ups carry a negative `at` meaning "this long after the previous event" (of those timed from readiness), at
 * the latest `latestMs` (the furthest time drawn).
 */
function resolveFollowUps(events: FaultEvent[], latestMs: number): Schedule {
  let previous = 0;
  return events.map((e) => {
    if (fromSpawn(e)) return e;
    if (anchorOf(e)) return e.at < 0 ? { ...e, at: -e.at } : e; // a follow-up of its line
    const at = e.at < 0 ? Math.min(latestMs, previous - e.at) : e.at;
    previous = at;
    return { ...e, at };
  });
}

/** The stop signal first, then the others in the order given. */
function mildestFirst(signals: SignalName[], stop: SignalName): SignalName[] {
  return [...new Set([stop, ...signals])].filter((s) => signals.includes(s));
}

/** Sorts a generated schedule by time (inside the property, so shrinking keeps working on the raw list). */
export const sortSchedule = (schedule: Schedule): Schedule => [...schedule].sort((a, b) => a.at - b.at);
