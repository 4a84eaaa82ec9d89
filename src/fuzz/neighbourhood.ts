import type { Scenario } from '../scenario/types.js';
import { stopModelOf } from '../stop-models/registry.js';
import { scalable } from './variant.js';

// How far amplify may move what an event holds: the scenario's fault space as bounds, plain data. What is varied and
// what is not (docs/guides/flaky-shutdown.md, "Amplifying a rare failure"): the fault is varied (a stop's endpoint lag, a pause's or
// partition's length and kind, a storm's count and spacing, a race's order, a signal's recipient among
// `faults.to`); the team's deployment settings (a stop model's grace period and hooks) and the identity of a fault
// (which signal, which service is frozen or cut off) are not.

/** A bounded number on a grid. */
export interface Range {
  min: number;
  max: number;
  grid: number;
}

/** Pause and partition lengths the fuzzer draws (fuzz/arbitrary.ts: 1 to 40 times 50 ms). */
export const LASTING_MS: Range = { min: 50, max: 2000, grid: 50 };
/** A storm has at least two signals (one is a plain signal) and at most this many. */
export const STORM_COUNT = { min: 2, max: 200 };

/** Where amplify may move a schedule. */
export interface Neighbourhood {
  /** The fault space's time grid: events move by one or two of it, endpoint lags keep to it. */
  step: number;
  /** Events fall within this long after readiness: a storm's span stays within it too. */
  horizon: number;
  /** Whether the workload has a rate to scale. */
  scalable: boolean;
  /** Recipients the target's signals, storms and races may go to (`faults.to`). */
  recipients: string[];
  /** A stop event's endpoint lag, up to the stop model's fuzz hint; `modelMs`: what it plays when the event holds none. */
  endpointLag?: { maxMs: number; modelMs: number };
  /** A pause's or partition's length. */
  lasting: Range;
  /** At most this many events in a schedule (`faults.max_events`); absent: no move adds one. */
  maxEvents?: number;
}

type ScenarioSpace = Pick<Scenario, 'faults' | 'workload'> & Partial<Pick<Scenario, 'stop'>>;

/** The neighbourhood a scenario's fault space and stop model allow. */
export function neighbourhoodOf(scenario: ScenarioSpace): Neighbourhood {
  const { faults } = scenario;
  return {
    step: faults.step,
    horizon: faults.horizon,
    scalable: scalable(scenario.workload),
    recipients: [...faults.to],
    ...(scenario.stop ? endpointLagOf(scenario.stop) : {}),
    lasting: LASTING_MS,
    maxEvents: faults.maxEvents,
  };
}

/** The lag range the model lets the fuzzer draw (its hint), and the lag its plan plays when a stop event holds none. */
function endpointLagOf(stop: NonNullable<ScenarioSpace['stop']>): Pick<Neighbourhood, 'endpointLag'> {
  const model = stopModelOf(stop);
  const maxMs = model.fuzz(stop).endpointLagMs;
  if (maxMs === undefined) return {};
  const traffic = model.plan(stop).traffic;
  return { endpointLag: { maxMs, modelMs: traffic && 'endpointDelayMs' in traffic ? traffic.endpointDelayMs : maxMs } };
}
