import type { z } from 'zod';
import type { Schedule } from '../schedule/event.js';
import type { SignalName } from '../signals.js';
import type { RolloutPlan } from '../rollout/plan.js';
import type { StopSettings } from '../stop-models/model.js';
import type { CoverageNote } from './coverage.js';
import type { oracleSettings } from './schema/oracle-settings.js';
import type { workload } from './schema/workload.js';

// A scenario as the rest of sigstorm sees it (what the loader returns), not as a person writes it (schema/).

export interface ExitExpectation {
  kind: 'exit';
  exit: number[];
  within: number;
}
export interface AliveExpectation {
  kind: 'alive';
  settle: number;
}
export type SignalExpectation = ExitExpectation | AliveExpectation;

/** A loaded, validated scenario with every path absolute and every default filled in. */
export interface Scenario {
  name: string;
  description?: string;
  path: string;
  target: Target;
  expect: Partial<Record<SignalName, SignalExpectation>>;
  /** How the orchestrator stops the target (its stop signal and grace period are also `target.stopSignal`, `stopGracePeriod`). */
  stop: StopSettings;
  workload: Workload;
  oracles: OracleSettings;
  /** Played by `run` when no events are given. */
  schedule: Schedule;
  /** What the fuzzer may generate. */
  faults: FaultSpace;
  /** The services the target needs, in the order they start (each after those it depends on). */
  dependencies: Dependency[];
  /** Signals orchestrators send that the fault space leaves out: reported, never failed. */
  coverage: CoverageNote[];
  /** A rolling update of `replicas` copies of the target behind sigstorm's load balancer (docs/rollouts.md). */
  rollout?: Rollout;
}

/** The rollout's plan, and the new version's target when it is not the same one again. */
export interface Rollout extends RolloutPlan {
  to?: Target;
}

export interface FaultSpace {
  signals: SignalName[];
  /** Dependencies whose stop signal (and declared signals) and pauses may be drawn. */
  services: string[];
  to: ('main' | 'group' | 'children' | 'all')[];
  races: boolean;
  storms: boolean;
  /** Signals during the start-up (`from: spawn`); undefined: on when the start-up is slow (fuzz/arbitrary.ts). */
  startup?: boolean;
  pauses: boolean;
  partitions: boolean;
  /** A rollout: readiness flaps of its new replicas. */
  flaps?: boolean;
  maxEvents: number;
  /** Events are drawn within this at first (ms after readiness)… */
  horizon: number;
  /** …and within this at most, once the target shows activity later than the horizon (fuzz/time-space.ts). */
  horizonMax: number;
  step: number;
}

export type Workload = z.output<typeof workload>;
export type OracleSettings = z.output<typeof oracleSettings>;

export interface Target {
  /** Its compose service name, or `target`: what `to:` and `between:` call it. */
  name: string;
  /** The services it needs, started and ready before it. */
  dependsOn: string[];
  /** Ready also means the Docker engine reports its healthcheck healthy (compose `condition: service_healthy`). */
  healthy: boolean;
  /** Where the per-trial data directory appears inside a container (process form: DATA_DIR is the host path). */
  dataDir?: string;
  container?: ContainerForm;
  process?: ProcessForm;
  prepare?: { command: string[]; cwd: string };
  ready: ReadyProbeSpec;
  stopSignal: SignalName;
  stopGracePeriod: number;
  /**
   * CPUs it may use (amplify's CPU pressure): a CFS quota for a container; a process gets the lowest scheduling
   * priority instead, which starves it only while the machine is busy.
   */
  cpus?: number;
}

/** A service the target needs: started before it, stopped after it, judged only when the scenario says so. */
export interface Dependency extends Target {
  /** The variable through which the services that need it get its address (host:port). */
  addressEnv?: string;
  /** What must hold when it is signalled (default: nothing; unsignalled, it must stay up). */
  expect: Partial<Record<SignalName, SignalExpectation>>;
}

export interface ContainerForm {
  image?: string;
  /** compose's healthcheck, in the engine's terms. */
  healthcheck?: Healthcheck;
  build?: { context: string; dockerfile: string };
  command?: string[];
  entrypoint?: string[];
  environment: Record<string, string>;
  ports: number[];
  init: boolean;
}

/** A container healthcheck as the Docker engine takes it (times in ms here). */
export interface Healthcheck {
  test: string[];
  intervalMs?: number;
  timeoutMs?: number;
  retries?: number;
  startPeriodMs?: number;
  startIntervalMs?: number;
}

export interface ProcessForm {
  command: string[];
  cwd: string;
  env: Record<string, string>;
  portEnv: string;
}

export interface ReadyProbeSpec {
  http?: string;
  port?: number;
  log?: string;
  /** A TCP connect to the port the workload talks to (`true`), or to this container port. */
  tcp?: true | number;
  timeout: number;
}
