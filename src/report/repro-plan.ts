import { badInput } from '../errors.js';
import { isTerminating } from '../scenario/terminating.js';
import type { Scenario, SignalExpectation } from '../scenario/types.js';
import { anchorOf, describeAnchor, describeEvent, fromSpawn, recipientOf, signalsOf, type FaultEvent, type Schedule } from '../schedule/event.js';
import type { SignalName } from '../signals.js';

// What a standalone reproduction script (`replay --script`) plays, as plain data: the process form's start, the
// readiness probe, the HTTP traffic, the schedule as timed kills and alive checks, and the contract it judges by.
// Whatever plain shell cannot do (partitions, pauses, stop models, dependencies, other protocols) is refused or left
// out here, with its reason, so the script never pretends to play what it does not.

/** Who a kill goes to: the main process, its process group, its descendants, or both. */
export type KillRecipient = 'main' | 'group' | 'children' | 'all';

/** `count` signals taken in turn from `signals`, `spacingMs` apart from `atMs` (a signal: 1; a race: spacing 0). */
export interface KillAction {
  kind: 'kill';
  /** The event's index in the schedule. */
  event: number;
  atMs: number;
  signals: SignalName[];
  count: number;
  spacingMs: number;
  to: KillRecipient;
  /** The event as reports show it ("+500 ms SIGUSR2→main"). */
  label: string;
}

/** The target must still run and be ready `settle` after the signals of `event` it must survive. */
export interface CheckAction {
  kind: 'check';
  event: number;
  atMs: number;
  label: string;
}

export type ReproAction = KillAction | CheckAction;

/** One HTTP stream of the workload as a curl loop: a request every `periodMs` per loop, `loops` loops at once. */
export interface ReproTraffic {
  method: string;
  path: string;
  loops: number;
  periodMs: number;
  timeoutMs: number;
}

export interface ReproPlan {
  name: string;
  /** The scenario file, as the script's comments name it. */
  scenarioPath: string;
  prepare?: { command: string[]; cwd: string };
  start: { command: string[]; cwd: string; env: Record<string, string>; portEnv: string };
  /** An amplify variant's CPU limit, which the process form plays as the lowest priority (nice 19). */
  lowPriority: boolean;
  ready: { http?: string; log?: string; tcp?: boolean; timeoutMs: number };
  traffic: ReproTraffic[];
  /** The parts of the workload the script does not send, in words. */
  leftOut: string[];
  /** In time order; checks after the first terminating signal are left out (that signal decides the outcome). */
  actions: ReproAction[];
  /** Signals the contract says stop the target (SIGKILL always does). */
  terminating: SignalName[];
  /** What `expect:` says of each signal. */
  expect: Partial<Record<SignalName, SignalExpectation>>;
  /** docker stop's signal, sent at the end of a schedule that holds no terminating signal. */
  stopSignal: SignalName;
  graceMs: number;
  noRefusalsForMs: number;
  /** A kill goes to the process group: the target must be started in a session of its own (setsid). */
  needsGroup: boolean;
}

/**
 * The plan of a reproduction script for `schedule` against `scenario`, or bad input naming the first event (or part
 * of the scenario) plain shell cannot play. `scenarioPath` is how the script's comments name the scenario file.
 */
export function reproPlan(scenario: Scenario, schedule: Schedule, scenarioPath: string): ReproPlan {
  const form = scenario.target.process;
  if (!form) throw badInput(`${scenarioPath}: the target has no process form (target.process): a reproduction script starts the target as a local process (the docker form is not supported)`);
  if (scenario.dependencies.length > 0) {
    throw badInput(`${scenarioPath}: the target needs ${scenario.dependencies.map((d) => d.name).join(', ')}: a reproduction script starts the target alone`);
  }
  schedule.forEach((event, i) => refuseInexpressible(event, i));
  const terminates = schedule.some((e) => signalsOf(e).some((s) => isTerminating(scenario.expect, s)));
  if (!terminates && scenario.stop.model !== 'docker') {
    throw badInput(
      `the schedule holds no signal that stops the target, so the ${scenario.stop.model} stop model would end it: a reproduction script plays no stop model (add the terminating signal to the schedule)`,
    );
  }
  const { ready } = scenario.target;
  return {
    name: scenario.name,
    scenarioPath,
    ...(scenario.target.prepare ? { prepare: scenario.target.prepare } : {}),
    start: { command: form.command, cwd: form.cwd, env: form.env, portEnv: form.portEnv },
    lowPriority: scenario.target.cpus !== undefined,
    ready: {
      ...(ready.http ? { http: ready.http } : {}),
      ...(ready.log ? { log: ready.log } : {}),
      ...(ready.tcp !== undefined ? { tcp: true } : {}),
      timeoutMs: ready.timeout,
    },
    ...traffic(scenario),
    actions: actions(scenario, schedule),
    terminating: terminatingSignals(scenario),
    expect: scenario.expect,
    stopSignal: scenario.target.stopSignal,
    graceMs: scenario.target.stopGracePeriod,
    noRefusalsForMs: scenario.oracles.lost_requests.no_refusals_for,
    needsGroup: schedule.some((e) => 'to' in e && e.kind !== 'pause' && e.to === 'group'),
  };
}

/** Bad input for an event a shell cannot play with `kill` and `sleep`, naming it. */
function refuseInexpressible(event: FaultEvent, index: number): void {
  const named = `events[${index}] (${describeEvent(event)})`;
  const why =
    event.kind === 'pause'
      ? 'a pause freezes the target (SIGSTOP or the cgroup freezer) and thaws it'
      : event.kind === 'partition'
        ? 'a partition cuts the network (iptables or a proxy)'
        : event.kind === 'unready' || event.kind === 'rollout'
          ? `a ${event.kind} event belongs to a rollout of replicas behind a balancer`
        : event.kind === 'stop'
          ? 'a stop event plays the stop model\'s whole sequence (hooks, endpoints, the final kill)'
          : fromSpawn(event)
            ? 'it is timed from the spawn, while readiness is awaited'
            : anchorOf(event)
              ? `it is timed from ${describeAnchor(anchorOf(event)!)}, which sigstorm watches for as the trial runs`
              : recipientOf(event.to).service
                ? `it signals ${recipientOf(event.to).service}, a service of the stack the script does not start`
                : undefined;
  if (why) throw badInput(`${named}: cannot be played by a plain shell script: ${why}`);
}

/** The workload's HTTP request streams as curl loops; every other kind of traffic named as left out. */
function traffic(scenario: Scenario): Pick<ReproPlan, 'traffic' | 'leftOut'> {
  const w = scenario.workload;
  const streams = w.requests.map((r) => ({
    method: r.method,
    path: r.path,
    loops: r.concurrency,
    // `concurrency` loops between them start `rate` requests a second.
    periodMs: Math.max(1, Math.round((1000 * r.concurrency) / r.rate)),
    timeoutMs: r.timeout,
  }));
  const leftOut = [
    ...(w.streams.length ? ['long-lived responses (streams)'] : []),
    ...(w.writes ? [`writes to ${w.writes.path} and their read-back (acked-writes)`] : []),
    ...(w.tcp.length ? ['TCP requests'] : []),
    ...(w.grpc.length ? ['gRPC calls'] : []),
    ...(w.exec ? ['the exec client'] : []),
    ...(w.jobs ? ['jobs'] : []),
  ];
  return { traffic: streams, leftOut };
}

/** The kills in time order, with an alive check after each event whose signals the target must survive. */
function actions(scenario: Scenario, schedule: Schedule): ReproAction[] {
  const kills: KillAction[] = schedule.map((event, i) => killOf(event, i));
  const firstStop = Math.min(...kills.filter((k) => k.signals.some((s) => isTerminating(scenario.expect, s))).map((k) => k.atMs));
  const checks = kills.flatMap((k): CheckAction[] => {
    const settle = k.signals.map((s) => scenario.expect[s]).map((e) => (e?.kind === 'alive' ? e.settle : undefined));
    if (settle.some((ms) => ms === undefined)) return [];
    const atMs = k.atMs + (k.count - 1) * k.spacingMs + Math.max(...(settle as number[]));
    // The alive oracle skips a check a terminating signal came before: the script does not make it.
    return atMs >= firstStop ? [] : [{ kind: 'check', event: k.event, atMs, label: k.label }];
  });
  // Stable: at the same instant, kills in schedule order, and a check after them.
  return [...kills, ...checks].sort((a, b) => a.atMs - b.atMs);
}

function killOf(event: FaultEvent, index: number): KillAction {
  if (event.kind !== 'signal' && event.kind !== 'storm' && event.kind !== 'race') throw new Error(`not a kill: ${event.kind}`);
  const label = describeEvent(event);
  const to = recipientOf(event.to).recipient;
  const atMs = Math.max(0, Math.round(event.at));
  if (event.kind === 'signal') return { kind: 'kill', event: index, atMs, signals: [event.signal], count: 1, spacingMs: 0, to, label };
  if (event.kind === 'race') return { kind: 'kill', event: index, atMs, signals: event.signals, count: event.signals.length, spacingMs: 0, to, label };
  return { kind: 'kill', event: index, atMs, signals: event.signals, count: event.count, spacingMs: Math.round(event.spacing), to, label };
}

/** The signals `expect:` says stop the target, and SIGKILL. */
function terminatingSignals(scenario: Scenario): SignalName[] {
  const declared = (Object.keys(scenario.expect) as SignalName[]).filter((s) => isTerminating(scenario.expect, s));
  return [...new Set<SignalName>([...declared, 'SIGKILL'])];
}
