// The library API: what the CLI uses, for tests that want to run sigstorm themselves.
export { fuzz, type FuzzOptions, type FuzzOutcome, type FuzzReport, type FuzzResult, type Reproduction } from './fuzz/campaign.js';
export { replay, type ReplayResult } from './fuzz/replay.js';
export { run, replayCommand, type RunOptions, type RunResult } from './run.js';
export { loadScenario, ScenarioError, type Problem } from './scenario/load.js';
export type { Scenario, Target, SignalExpectation } from './scenario/schema.js';
export { parseSchedule, describeEvent, type FaultEvent, type Schedule } from './faults/event.js';
export { judge } from './oracles/judge.js';
export type { OracleResult, Verdict } from './oracles/verdict.js';
export type { TrialRecord, ExitRecord } from './trial/record.js';
export type { Report } from './report/report.js';
export type { BackendChoice, BackendName, Recipient } from './backends/backend.js';
export { SigstormError, ExitCode } from './errors.js';
