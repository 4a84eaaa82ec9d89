// The library API: what the CLI uses, for tests that want to run sigstorm themselves.
export {
  fuzz,
  type FuzzOptions,
  type FuzzOutcome,
  type FuzzProgress,
  type FuzzReport,
  type FuzzResult,
  type Reproduction,
  type CampaignCut,
} from './fuzz/campaign.js';
export { worstCaseTrialMs } from './fuzz/budget.js';
export { replay, type ReplayResult } from './fuzz/replay.js';
export { run, replayCommand, type RunOptions, type RunResult } from './run.js';
export { loadScenario, ScenarioError, formatProblem, type Problem } from './scenario/load.js';
export type { Scenario, Target, SignalExpectation } from './scenario/types.js';
export { describeEvent, type FaultEvent, type Schedule } from './faults/event.js';
export { parseSchedule } from './faults/parse-schedule.js';
export { judge } from './oracles/judge.js';
export type { OracleResult, Verdict } from './oracles/verdict.js';
export type { TrialRecord, ExitRecord } from './trial/record.js';
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
export { parseShard, selectShard, seedFor } from './fuzz/shard.js';
