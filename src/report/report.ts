import type { BackendName } from '../backends/backend.js';
import type { Schedule } from '../schedule/event.js';
import type { OracleResult, Verdict } from '../oracles/verdict.js';
import type { CoverageNote } from '../scenario/coverage.js';
import type { TrialRecord } from '../trial/record.js';

/** What every report.json starts with, whichever command wrote it (docs/architecture.md, Contracts). Plain data, versioned. */
export interface ReportHeader<Command extends string> {
  schemaVersion: 1;
  tool: { name: 'sigstorm'; version: string };
  command: Command;
  runId: string;
  createdAt: string;
  scenario: { name: string; path: string };
  backend: BackendName;
}

/** The report.json of one `run`. */
export interface Report extends ReportHeader<'run'> {
  /** `run` plays one given schedule: there is no generator seed. */
  seed: number | null;
  trialsRun: number;
  verdict: Verdict;
  interrupted: boolean;
  schedule: Schedule;
  failures: OracleResult[];
  results: OracleResult[];
  /** Copy-paste to play the same schedule again. */
  replay: string;
  /** Set when the trial could not be carried out (engine gone, target never ready, …). */
  error?: { kind: string; message: string };
  trial?: TrialRecord;
  /** Signals orchestrators send that the scenario's fault space leaves out (never a failure). */
  coverage: CoverageNote[];
}
