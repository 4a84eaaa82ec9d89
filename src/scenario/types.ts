import type { z } from 'zod';
import type { Schedule } from '../schedule/event.js';
import type { SignalName } from '../signals.js';
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
  workload: Workload;
  oracles: OracleSettings;
  /** Played by `run` when no events are given. */
  schedule: Schedule;
  /** What the fuzzer may generate. */
  faults: FaultSpace;
  /** Signals orchestrators send that the fault space leaves out: reported, never failed. */
  coverage: CoverageNote[];
}

export interface FaultSpace {
  signals: SignalName[];
  to: ('main' | 'group' | 'children')[];
  races: boolean;
  storms: boolean;
  pauses: boolean;
  partitions: boolean;
  maxEvents: number;
  horizon: number;
  step: number;
}

export type Workload = z.output<typeof workload>;
export type OracleSettings = z.output<typeof oracleSettings>;

export interface Target {
  /** Where the per-trial data directory appears inside a container (process form: DATA_DIR is the host path). */
  dataDir?: string;
  container?: ContainerForm;
  process?: ProcessForm;
  prepare?: { command: string[]; cwd: string };
  ready: ReadyProbeSpec;
  stopSignal: SignalName;
  stopGracePeriod: number;
}

export interface ContainerForm {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  entrypoint?: string[];
  environment: Record<string, string>;
  ports: number[];
  init: boolean;
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
  timeout: number;
}
