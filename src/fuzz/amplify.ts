import { describeEvent, type FaultEvent, type Schedule } from '../schedule/event.js';
import type { Scenario, Workload } from '../scenario/types.js';
import type { Budget } from './budget.js';
import { wilson } from './wilson.js';

// Amplification: from a schedule that fails now and then, search its neighbourhood for the variant that fails with
// the same signature most often. Pure except for `amplifySearch`, which drives an injected trial function.

/** A schedule to try, and the workload scale and CPU pressure to try it under. */
export interface Variant {
  schedule: Schedule;
  /** Request rate and concurrency of the workload multiplied by this (1: as the scenario says). */
  workloadScale: number;
  /** CPUs the target may use (absent: no limit). A starved target drains slowly, which widens shutdown races. */
  cpus?: number;
}

/** A variant and how often it failed with the signature so far. */
export interface Arm {
  variant: Variant;
  failed: number;
  runs: number;
}

const MAX_STORM = 200;
const SCALES = [0.25, 0.5, 1, 2, 4, 8];
/** CPU limits tried, loosest first (undefined: none). */
const CPU_LIMITS = [undefined, 1, 0.5, 0.25, 0.1];

export const variantKey = (v: Variant): string => JSON.stringify([v.schedule, v.workloadScale, v.cpus ?? null]);

const delivers = (e: FaultEvent): e is Extract<FaultEvent, { kind: 'signal' | 'race' }> => e.kind === 'signal' || e.kind === 'race';

/**
 * The variants one move away: each event `step` or two earlier or later; the gap between two consecutive signals
 * halved or closed into a race; a race opened into two signals `step` apart; a storm's count and spacing doubled
 * or halved; the workload's rate and concurrency doubled or halved (when `scalable`); the target's CPU limit one
 * level tighter or looser (none, 1, 0.5, 0.25, 0.1 CPU). Events keep their order in the
 * list (the player sorts by time), so the change reads event by event against the original.
 */
export function neighbours(v: Variant, step: number, scalable: boolean): Variant[] {
  const { schedule } = v;
  const out: Variant[] = [];
  const withEvents = (events: Schedule, workloadScale = v.workloadScale, cpus: { limit: number | undefined } = { limit: v.cpus }) =>
    out.push({ schedule: events, workloadScale, ...(cpus.limit !== undefined ? { cpus: cpus.limit } : {}) });
  const replace = (i: number, ...events: FaultEvent[]) => [...schedule.slice(0, i), ...events, ...schedule.slice(i + 1)];
  const byTime = schedule.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at);

  for (const [i, e] of schedule.entries()) {
    for (const d of [-2, -1, 1, 2]) {
      const at = e.at + d * step;
      if (at >= 0) withEvents(replace(i, { ...e, at }));
    }
    if (e.kind === 'race') {
      const [first, ...rest] = e.signals;
      withEvents(replace(i, { at: e.at, kind: 'signal', signal: first!, to: e.to }, ...rest.map((signal, k) => ({ at: e.at + (k + 1) * step, kind: 'signal' as const, signal, to: e.to }))));
    }
    if (e.kind === 'storm') {
      if (e.count * 2 <= MAX_STORM) withEvents(replace(i, { ...e, count: e.count * 2 }));
      if (e.count >= 4) withEvents(replace(i, { ...e, count: Math.floor(e.count / 2) }));
      if (e.spacing >= 2) withEvents(replace(i, { ...e, spacing: Math.floor(e.spacing / 2) }));
      withEvents(replace(i, { ...e, spacing: e.spacing * 2 }));
    }
  }
  // Two signals one after the other: the later one closer to the first, or both at once.
  for (let k = 0; k + 1 < byTime.length; k++) {
    const { e: a } = byTime[k]!;
    const { e: b, i: j } = byTime[k + 1]!;
    if (!delivers(a) || !delivers(b)) continue;
    const gap = b.at - a.at;
    if (gap >= 2) withEvents(replace(j, { ...b, at: a.at + Math.floor(gap / 2) }));
    if (a.kind === 'signal' && b.kind === 'signal' && a.to === b.to && a.signal !== b.signal) {
      const i = byTime[k]!.i;
      const race: FaultEvent = { at: a.at, kind: 'race', signals: [a.signal, b.signal], to: a.to };
      withEvents(schedule.flatMap((e, n) => (n === i ? [race] : n === j ? [] : [e])));
    }
  }
  if (scalable) {
    const at = SCALES.indexOf(v.workloadScale);
    for (const s of [SCALES[at - 1], SCALES[at + 1]]) if (s !== undefined) withEvents(schedule, s);
  }
  const level = CPU_LIMITS.indexOf(v.cpus);
  if (level > 0) withEvents(schedule, v.workloadScale, { limit: CPU_LIMITS[level - 1] });
  if (level >= 0 && level + 1 < CPU_LIMITS.length) withEvents(schedule, v.workloadScale, { limit: CPU_LIMITS[level + 1] });
  const seen = new Set([variantKey(v)]);
  return out.filter((n) => !seen.has(variantKey(n)) && seen.add(variantKey(n)));
}

/** What a variant changes in the original, in words, one change a line. */
export function describeChanges(original: Variant, variant: Variant): string[] {
  const changes: string[] = [];
  const a = original.schedule;
  const b = variant.schedule;
  if (a.length === b.length && a.every((e, i) => e.kind === b[i]!.kind)) {
    for (const [i, e] of a.entries()) {
      const f = b[i]!;
      const name = describeEvent({ ...e, at: 0 }).replace(/^\+0 ms /, '');
      if (f.at !== e.at) changes.push(`${name} at +${f.at} ms instead of +${e.at} ms (${f.at > e.at ? 'later' : 'earlier'} by ${Math.abs(f.at - e.at)} ms)`);
      if (e.kind === 'storm' && f.kind === 'storm') {
        if (f.count !== e.count) changes.push(`storm of ${f.count} signals instead of ${e.count}`);
        if (f.spacing !== e.spacing) changes.push(`storm spacing ${f.spacing} ms instead of ${e.spacing} ms`);
      }
    }
  } else {
    changes.push(`schedule ${b.map(describeEvent).join('; ')} instead of ${a.map(describeEvent).join('; ')}`);
  }
  if (variant.workloadScale !== original.workloadScale) {
    changes.push(`workload rate and concurrency ×${variant.workloadScale} (instead of ×${original.workloadScale})`);
  }
  if (variant.cpus !== original.cpus) {
    const limit = (cpus: number | undefined) => (cpus === undefined ? 'no CPU limit' : `${cpus} CPU`);
    changes.push(`the target limited to ${limit(variant.cpus)} (instead of ${limit(original.cpus)})`);
  }
  return changes;
}

/** The scenario a variant runs: its workload scaled, its target under the variant's CPU limit. */
export function variantScenario(scenario: Scenario, v: Pick<Variant, 'workloadScale' | 'cpus'>): Scenario {
  if (v.workloadScale === 1 && v.cpus === undefined) return scenario;
  return {
    ...scenario,
    workload: scaleWorkload(scenario.workload, v.workloadScale),
    target: v.cpus === undefined ? scenario.target : { ...scenario.target, cpus: v.cpus },
  };
}

/** The workload with every stream's rate and concurrency multiplied by `scale` (within the schema's bounds). */
export function scaleWorkload(workload: Workload, scale: number): Workload {
  if (scale === 1) return workload;
  const rate = (r: number) => Math.min(2000, Math.max(0.1, r * scale));
  const concurrency = (c: number) => Math.min(256, Math.max(1, Math.round(c * scale)));
  const stream = <T extends { rate: number; concurrency: number }>(s: T): T => ({ ...s, rate: rate(s.rate), concurrency: concurrency(s.concurrency) });
  return {
    ...workload,
    requests: workload.requests.map(stream),
    tcp: workload.tcp.map(stream),
    grpc: workload.grpc.map(stream),
    ...(workload.writes ? { writes: stream(workload.writes) } : {}),
    ...(workload.jobs ? { jobs: { ...workload.jobs, rate: rate(workload.jobs.rate) } } : {}),
  };
}

/** Whether scaling the workload changes anything: some stream has a rate. */
export const scalable = (w: Workload): boolean => w.requests.length + w.tcp.length + w.grpc.length > 0 || Boolean(w.writes || w.jobs);

const low = (a: Arm) => wilson(a.failed, a.runs).low;
const rate = (a: Arm) => (a.runs ? a.failed / a.runs : 0);

/** Best first: by the Wilson lower bound of the rate, then the rate, then fewer runs (cheaper to be sure of). */
export const ranked = (arms: readonly Arm[]): Arm[] => [...arms].sort((x, y) => low(y) - low(x) || rate(y) - rate(x) || x.runs - y.runs);

/**
 * One rung of successive halving: the better half goes on (at least one). Arms that never failed are dropped
 * when another did: the search is for the failure, and a never-failing arm is the costliest to tell apart.
 */
export function survivors(arms: readonly Arm[]): Arm[] {
  const order = ranked(arms);
  const failing = order.filter((a) => a.failed > 0);
  const pool = failing.length ? failing : order;
  return pool.slice(0, Math.max(1, Math.ceil(arms.length / 2)));
}

export interface SearchOptions {
  original: Variant;
  /** How often the original reproduced when it was confirmed (it starts with these counts). */
  recorded: { failed: number; runs: number };
  step: number;
  scalable: boolean;
  /** One trial of a variant: true when it failed with the signature, undefined when it decided nothing. */
  run: (v: Variant) => Promise<boolean | undefined>;
  parallel: number;
  budget: Budget;
  /** Runs of a round's winner before it may replace the best so far (its interval). */
  confirmRuns: number;
  /** The search ends once the best fails this often and its lower bound is above the original's upper bound. */
  goal: number;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

export interface SearchResult {
  original: Arm;
  best: Arm;
  /** Every arm tried, the original first. */
  arms: Arm[];
  trials: number;
  goalMet: boolean;
}

/** Whether `best` met the goal against `original`. */
export const meetsGoal = (best: Arm, original: Arm, goal: number): boolean =>
  best !== original && rate(best) >= goal && low(best) > wilson(original.failed, original.runs).high;

/**
 * Hill climbing by successive halving: each round the neighbours of the best so far race in rungs of doubling
 * trials, the better half going on; the round's winner is run up to `confirmRuns` and replaces the best when its
 * lower bound is higher. Ends at the goal, when no neighbour is better, or at the budget.
 */
export async function amplifySearch(o: SearchOptions): Promise<SearchResult> {
  const original: Arm = { variant: o.original, ...o.recorded };
  const arms: Arm[] = [original];
  const seen = new Set([variantKey(o.original)]);
  let best = original;
  let trials = 0;
  const stopped = () => o.signal?.aborted === true || !o.budget.fits();

  // Runs `perArm` more trials of each arm, `parallel` at once; stops starting trials at the budget.
  const play = async (pool: Arm[], perArm: number) => {
    const jobs = pool.flatMap((arm) => Array.from({ length: perArm }, () => arm));
    let next = 0;
    const worker = async () => {
      while (next < jobs.length && !stopped()) {
        const arm = jobs[next++]!;
        const failed = await o.budget.timed(() => o.run(arm.variant));
        if (failed === undefined) continue;
        trials++;
        arm.runs++;
        if (failed) arm.failed++;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, o.parallel) }, worker));
  };

  if (original.runs === 0) await play([original], o.confirmRuns);
  while (!stopped() && !meetsGoal(best, original, o.goal)) {
    const fresh = neighbours(best.variant, o.step, o.scalable).filter((v) => !seen.has(variantKey(v)));
    if (!fresh.length) break;
    for (const v of fresh) seen.add(variantKey(v));
    let pool: Arm[] = fresh.map((variant) => ({ variant, failed: 0, runs: 0 }));
    arms.push(...pool);
    o.onProgress?.(`trying ${pool.length} variant(s) around the best so far (${best.failed}/${best.runs})`);
    for (let perArm = Math.max(2, o.parallel); pool.length > 1 && !stopped(); perArm *= 2) {
      await play(pool, perArm);
      pool = survivors(pool);
    }
    const winner = pool[0]!;
    if (winner.failed === 0) break; // nothing around the best fails at all: stay
    await play([winner], Math.max(0, o.confirmRuns - winner.runs));
    o.onProgress?.(`round winner ${winner.failed}/${winner.runs}: ${describeChanges(o.original, winner.variant).join('; ') || 'the original'}`);
    if (ranked([best, winner])[0] !== winner || low(winner) <= low(best)) break;
    best = winner;
  }
  return { original, best, arms, trials, goalMet: meetsGoal(best, original, o.goal) };
}
