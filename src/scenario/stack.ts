import type { FaultEvent, Schedule } from '../schedule/event.js';
import { recipientOf, serviceName } from '../schedule/event.js';
import type { ScenarioProblems } from './problems.js';
import { readbacksOf } from './readbacks.js';
import { readyPortProblems } from './ready-port.js';
import type { ParsedScenario } from './schema/scenario.js';
import type { Dependency, Target } from './types.js';

/** Words `to:` gives a meaning of its own: they cannot name a service. */
const RESERVED = new Set(['main', 'group', 'children', 'all']);

/**
 * The stack a scenario describes, checked: every `depends_on` names a dependency, there is no cycle, every
 * dependency says how to know it is ready, the schedule, `faults.services` and the read-backs name only services
 * that exist, and a job queue lives in a dependency sigstorm can reach. Dependencies come back in start order (each
 * after those it needs), and the schedule with every `to:` that names the target written the plain way
 * (`api:group` → `group`).
 */
export function checkStack(
  target: Target,
  dependencies: Dependency[],
  parsed: ParsedScenario,
  problems: ScenarioProblems,
): { target: Target; dependencies: Dependency[]; schedule: Schedule } {
  const byName = new Map(dependencies.map((d) => [d.name, d]));
  for (const d of dependencies) {
    if (RESERVED.has(d.name) || d.name === target.name || !serviceName.safeParse(d.name).success) {
      problems.at(['dependencies', d.name], `expected a service name (letters, digits, ".", "_", "-") other than main, group, children and the target's (${target.name})`, true);
    }
  }
  const where = (s: Target): (string | number)[] => (s === target ? ['target', 'depends_on'] : ['dependencies', s.name, 'depends_on']);
  for (const s of [target, ...dependencies]) {
    for (const name of s.dependsOn) {
      if (name === target.name) problems.at(where(s), `a depends_on cycle through the target: ${s.name} → ${name}`);
      else if (!byName.has(name)) problems.at(where(s), `${JSON.stringify(name)} is not a dependency; the stack has: ${[...byName.keys()].join(', ') || 'none'}`);
    }
  }
  // Listed under `dependencies:` and nothing says who needs it: the target does (all of them, when it names none).
  const reached = reach(target.dependsOn, byName);
  const targetNeeds = [...target.dependsOn, ...dependencies.filter((d) => !reached.has(d.name)).map((d) => d.name)];
  const main: Target = { ...target, dependsOn: targetNeeds.filter((n) => byName.has(n)) };

  const order = startOrder(main, byName, (cycle) => {
    const first = byName.get(cycle[0]!)!;
    problems.at(where(first), `a depends_on cycle: ${cycle.join(' → ')}`);
  });

  // compose's conditions: `service_healthy` waits for the healthcheck, `service_started` only for the start.
  const written = [parsed.target, ...Object.values(parsed.dependencies)];
  const conditions = new Map<string, Set<string>>();
  for (const w of written) for (const d of w.depends_on ?? []) conditions.set(d.service, (conditions.get(d.service) ?? new Set()).add(d.condition));
  const started = order.map((d): Dependency => {
    const asked = conditions.get(d.name) ?? new Set<string>();
    const probe = d.ready.http !== undefined || d.ready.log !== undefined || d.ready.tcp !== undefined;
    const healthy = !probe && asked.has('service_healthy');
    if (healthy && !d.container?.healthcheck) {
      problems.at(['dependencies', d.name], 'a service needs it `condition: service_healthy`, but it has no `healthcheck`');
    } else if (!probe && !healthy && !asked.has('service_started')) {
      problems.at(
        ['dependencies', d.name],
        'no readiness: give it `ready` (an HTTP path, a log line or a TCP port), a `healthcheck` with `condition: service_healthy`, ' +
          'or say `condition: service_started` where it is needed (when the target\'s own readiness covers it)',
        true,
      );
    }
    if (d.container) for (const p of readyPortProblems(d.ready, d.container.ports)) problems.at(['dependencies', d.name, 'ready', p.key], p.message);
    return { ...d, healthy };
  });

  const services = new Set([target.name, ...byName.keys()]);
  const known = (name: string) => services.has(name);
  const hint = `the stack has: ${[...services].join(', ')}`;
  parsed.faults.services.forEach((name, i) => {
    if (!byName.has(name)) problems.at(['faults', 'services', i], `${JSON.stringify(name)} is not a dependency; ${hint}`);
  });
  const { jobs } = parsed.workload;
  for (const { readback, at } of readbacksOf(parsed.workload)) {
    if ('file' in readback || readback.service === undefined || byName.has(readback.service)) continue;
    problems.at([...at, 'service'], `${JSON.stringify(readback.service)} is not a dependency; ${hint}`);
  }
  if (jobs) {
    // sigstorm pushes the jobs itself: the queue's Redis must be a dependency it can reach from the host.
    const redis = byName.get(jobs.redis);
    if (!redis) {
      problems.at(['workload', 'jobs', 'redis'], `${JSON.stringify(jobs.redis)} is not a dependency; the stack's dependencies: ${[...byName.keys()].join(', ') || 'none'}`);
    } else if (redis.container && redis.container.ports.length === 0) {
      problems.at(['workload', 'jobs', 'redis'], `dependency ${jobs.redis} publishes no port for sigstorm to push jobs through: give it \`ports\` (e.g. ["6379"])`);
    }
  }
  const schedule = canonicalSchedule(parsed.schedule ?? [], target.name, known, (i, key, message) => problems.at(['schedule', i, key], message), parsed.rollout !== undefined);
  return { target: main, dependencies: started, schedule };
}

/**
 * A schedule with every service it names checked against the stack (`problem` hears of each unknown one) and the
 * target's own name written the plain way, sorted by time. Also for schedules given on the command line.
 */
export function canonicalSchedule(
  schedule: readonly FaultEvent[],
  targetName: string,
  known: (service: string) => boolean,
  problem: (index: number, key: string, message: string) => void,
  rollout = false,
): Schedule {
  const unknown = (name: string) => `${JSON.stringify(name)} is not a service of the stack`;
  const out = schedule.map((e, i): FaultEvent => {
    if (!rollout && (e.kind === 'unready' || e.kind === 'rollout')) problem(i, 'kind', `a ${e.kind} event belongs to a rollout: this scenario has no \`rollout:\``);
    else if (!rollout && 'replica' in e && e.replica !== undefined) problem(i, 'replica', 'names a replica of a rollout: this scenario has no `rollout:`');
    if (e.kind === 'partition') {
      if (!e.between) return e;
      for (const name of e.between) if (!known(name)) problem(i, 'between', unknown(name));
      if (e.between[0] === e.between[1]) problem(i, 'between', 'expected two different services');
      return e;
    }
    if (e.kind === 'stop' || e.kind === 'unready' || e.kind === 'rollout') return e;
    if (e.kind === 'pause') {
      if (e.to === undefined || e.to === targetName) return withoutTo(e);
      if (!known(e.to)) problem(i, 'to', unknown(e.to));
      return e;
    }
    const { service, recipient } = recipientOf(e.to);
    if (service === undefined || service === targetName) return { ...e, to: recipient };
    if (!known(service)) problem(i, 'to', unknown(service));
    return e;
  });
  return out.sort((a, b) => a.at - b.at);
}

const withoutTo = ({ to: _, ...e }: Extract<FaultEvent, { kind: 'pause' }>): FaultEvent => e;

/** The names reachable through `depends_on` from `start`. */
function reach(start: string[], byName: Map<string, Dependency>): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const next of byName.get(name)?.dependsOn ?? []) visit(next);
  };
  start.forEach(visit);
  return seen;
}

/** Dependencies in start order (depth first: each after what it needs); a cycle is reported once and cut. */
function startOrder(target: Target, byName: Map<string, Dependency>, onCycle: (cycle: string[]) => void): Dependency[] {
  const order: Dependency[] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (name: string) => {
    const d = byName.get(name);
    if (!d || done.has(name)) return;
    if (path.includes(name)) return void onCycle([...path.slice(path.indexOf(name)), name]);
    path.push(name);
    d.dependsOn.forEach(visit);
    path.pop();
    done.add(name);
    order.push(d);
  };
  target.dependsOn.forEach(visit);
  for (const name of byName.keys()) visit(name);
  return order;
}

/**
 * A schedule given apart from the scenario (`run --events`, a replay) checked against its stack, the target's own
 * name written the plain way, with one line per unknown service found.
 */
export function scheduleForStack(
  schedule: readonly FaultEvent[],
  scenario: { target: Target; dependencies: Dependency[]; rollout?: unknown },
): { schedule: Schedule; problems: string[] } {
  const names = new Set([scenario.target.name, ...scenario.dependencies.map((d) => d.name)]);
  const problems: string[] = [];
  const out = canonicalSchedule(schedule, scenario.target.name, (n) => names.has(n), (i, key, message) =>
    problems.push(`events[${i}].${key}: ${message}${key === 'between' || key === 'to' ? `; the stack has: ${[...names].join(', ')}` : ''}`),
  scenario.rollout !== undefined,
  );
  return { schedule: out, problems };
}
