// The library API: what the CLI uses, for tests that want to run sigstorm themselves.
export { run, type RunOptions, type RunResult } from './session/run.js';
export { fuzz, type FuzzOptions, type FuzzResult } from './session/fuzz.js';
export { replay, type ReplayOptions, type ReplayResult } from './session/replay.js';
export { amplify, type AmplifyOptions, type AmplifyReport, type AmplifyResult } from './session/amplify.js';
export { analyze, type AnalyzeResult } from './session/analyze.js';
export { loadResults, mergeReports } from './session/merge.js';
export { planSuite, fuzzSuite, type SuitePlan, type SuiteOptions } from './session/suite.js';
export { initScenario, type InitOptions, type InitResult } from './init/init.js';
export type { FuzzProgress } from './fuzz/campaign.js';
export type { FuzzOutcome, FuzzReport, Reproduction, CampaignCut, CampaignSummary, Explored, ExploredCells, Finding, FixCheck } from './report/fuzz-report.js';
export { replayCommand } from './report/replay-command.js';
export { worstCaseTrialMs } from './fuzz/budget.js';
export { asOften, reliabilityBar } from './fuzz/reliability.js';
export { loadScenario, ScenarioError, formatProblem, type Problem } from './scenario/load.js';
export type { Scenario, Target, Dependency, SignalExpectation } from './scenario/types.js';
export { describeStopModel, registerStopModel, type StopModel, type DockerStop, type KubernetesStop, type SystemdStop, type SupervisordStop } from './stop-models/registry.js';
export type { StopHook, StopSettings, StopModelDef, StopPlan, StopEnding, FuzzHints, StopDiagnosis } from './stop-models/model.js';
export { describeEvent, type FaultEvent, type Schedule } from './schedule/event.js';
export { parseSchedule } from './schedule/parse.js';
export { judge } from './oracles/judge.js';
export type { Diagnosis, OracleResult, Verdict } from './oracles/verdict.js';
export { runtimeOf, type Runtime, type RuntimeFinding } from './oracles/runtime.js';
export type { TrialRecord, ExitRecord, DependencyRecord, StopRecord, StopStep } from './trial/record.js';
export type { Report } from './report/report.js';
export type { BackendChoice } from './backends/backend.js';
export type { BackendName, Recipient } from './backends/target.js';
export { SigstormError, ExitCode } from './errors.js';
// Reports: one model (a result set), rendered as JUnit, Markdown or HTML; shards merged.
export {
  resultSet,
  fromFuzzReport,
  fromRunReport,
  verdictLine,
  type ResultSet,
  type ScenarioResult,
  type Shard,
} from './report/result.js';
export { toJUnit } from './report/junit.js';
export { toMarkdown } from './report/markdown.js';
export { toHtml } from './report/html.js';
export { timelineSvg } from './report/timeline.js';
export { mergeResultSets } from './report/merge.js';
export { parseShard, selectShard, seedFor } from './session/shard.js';
