import type { Schedule } from '../schedule/event.js';
import type { Scenario, Workload } from '../scenario/types.js';

// A variant amplify tries: a schedule, and the workload scale and CPU pressure it runs under. Plain data, as saved
// in amplify.json and read back by `replay`.

/** A schedule to try, and the workload scale and CPU pressure to try it under. */
export interface Variant {
  schedule: Schedule;
  /** Request rate and concurrency of the workload multiplied by this (1: as the scenario says). */
  workloadScale: number;
  /** CPUs the target may use (absent: no limit). A starved target drains slowly, which widens shutdown races. */
  cpus?: number;
}

export const variantKey = (v: Variant): string => JSON.stringify([v.schedule, v.workloadScale, v.cpus ?? null]);

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
