import { ExitCode, exitCodeFor } from '../errors.js';
import { describeEvent } from '../schedule/event.js';
import type { OracleResult } from '../oracles/verdict.js';
import type { CoverageNote } from '../scenario/coverage.js';
import type { TrialRecord } from '../trial/record.js';
import { VERSION } from '../version.js';
import { displayPath } from './display-path.js';
import type { Explored, FixCheck, FuzzReport, Reproduction } from './fuzz-report.js';
import type { Report } from './report.js';

/**
 * The one report model every output format is rendered from (JSON, JUnit, Markdown, HTML): the scenarios of one
 * invocation (or of several shards, merged), each with its verdict, and the combined verdict and exit status.
 */
export interface ResultSet {
  schemaVersion: 1;
  kind: 'sigstorm-results';
  tool: { name: 'sigstorm'; version: string };
  createdAt: string;
  /** Every scenario passed → pass; any failed → fail; otherwise (errors, unknown) → unknown. */
  verdict: 'pass' | 'fail' | 'unknown';
  /** The exit status the command gives for it (docs/architecture.md): the highest of the scenarios'. */
  exitCode: number;
  counts: { total: number; passed: number; failed: number; unknown: number; skipped: number };
  durationMs: number;
  /** The shards this set covers: one for a sharded invocation, several after `merge`. */
  shards: Shard[];
  /** After `merge`: shards of a complete k/n set that were not among the inputs (their scenarios went untested). */
  missingShards?: Shard[];
  /** The base seed each scenario's seed was derived from, when the invocation had one. */
  baseSeed?: number;
  interrupted: boolean;
  scenarios: ScenarioResult[];
}

export interface Shard {
  /** 1-based, as in `--shard 1/3`. */
  index: number;
  total: number;
}

export type ScenarioVerdict = 'pass' | 'fail' | 'unknown' | 'skipped';

/** One scenario's part of a result set. */
export interface ScenarioResult {
  scenario: { name: string; path: string };
  command: 'run' | 'fuzz' | 'replay';
  verdict: ScenarioVerdict;
  exitCode: number;
  backend?: string;
  seed?: number | null;
  runId?: string;
  /** Where its report.json was written (as given to the command), if anywhere. */
  reportPath?: string;
  durationMs: number;
  schedulesTried?: number;
  /** How far exploring went through the fault space (fuzz; absent in reports of older versions). */
  explored?: Explored;
  trialsRun: number;
  /** For a failure: the minimal (fuzz) or played (run) schedule, step by step. */
  steps: string[];
  failures: OracleResult[];
  reproduction?: Reproduction;
  /** fuzz: how often the first failing schedule reproduced when found (its estimate), beside `reproduction`. */
  firstReproduction?: Reproduction;
  /** `replay --against`: the recorded rate beside the rate now, and whether that proves a fix. */
  fix?: FixCheck;
  /** What the budget cut short, in words (fuzz). */
  cut?: string;
  replay?: string | null;
  /** Why there is no verdict: bad input, infrastructure, or why it was skipped. */
  error?: { kind: string; message: string };
  /** The trial a person would look at: the minimal failing one (fuzz), or the one trial (run). */
  trial?: TrialRecord;
  /** A trial of the same schedule that passed (a flaky schedule), shown beside `trial` on the same time axis. */
  passingTrial?: TrialRecord;
  /** Signals orchestrators send that the scenario leaves untested: a note, never a failure. */
  coverage?: CoverageNote[];
}

export function fromFuzzReport(report: FuzzReport, reportPath?: string): ScenarioResult {
  return {
    scenario: shown(report.scenario),
    command: 'fuzz',
    verdict: report.verdict,
    // An environment that failed for good (the engine went away) is an infrastructure failure, whatever was found.
    exitCode: report.error || (report.interrupted && report.verdict !== 'fail') ? ExitCode.infrastructure : exitCodeFor(report.verdict),
    backend: report.backend,
    seed: report.seed,
    runId: report.runId,
    ...(reportPath ? { reportPath } : {}),
    durationMs: report.durationMs,
    schedulesTried: report.schedulesTried,
    ...(report.explored ? { explored: report.explored } : {}),
    trialsRun: report.trialsRun,
    steps: report.minimalSteps,
    failures: report.outcome.kind === 'failed' ? report.outcome.failures : [],
    ...(report.outcome.kind === 'failed' ? { reproduction: report.outcome.reproduction } : {}),
    ...(report.outcome.kind === 'failed' && report.outcome.originalReproduction ? { firstReproduction: report.outcome.originalReproduction } : {}),
    ...(report.cut ? { cut: report.cut.message } : {}),
    replay: report.replay,
    ...(report.error ? { error: report.error } : {}),
    ...(report.trial ? { trial: report.trial } : {}),
    ...(report.passingTrial ? { passingTrial: report.passingTrial } : {}),
    ...(report.coverage?.length ? { coverage: report.coverage } : {}),
  };
}

export function fromRunReport(report: Report, reportPath?: string): ScenarioResult {
  const trial = report.trial;
  return {
    scenario: shown(report.scenario),
    command: 'run',
    verdict: report.verdict,
    exitCode: exitCodeFor(report.verdict),
    backend: report.backend,
    seed: report.seed,
    runId: report.runId,
    ...(reportPath ? { reportPath } : {}),
    durationMs: trial ? Math.round(trial.spawnToReadyMs + trial.exit.atMs) : 0,
    trialsRun: report.trialsRun,
    steps: report.schedule.map(describeEvent),
    failures: report.failures,
    replay: report.replay,
    ...(report.error ? { error: report.error } : {}),
    ...(trial ? { trial } : {}),
    ...(report.coverage?.length ? { coverage: report.coverage } : {}),
  };
}

/** A scenario that never got a verdict: its file was bad, or the infrastructure failed before a report existed. */
export function fromError(path: string, error: { kind: string; message: string }, exitCode: number, command: 'run' | 'fuzz' = 'fuzz'): ScenarioResult {
  return { scenario: { name: scenarioName(path), path }, command, verdict: 'unknown', exitCode, durationMs: 0, trialsRun: 0, steps: [], failures: [], error };
}

/** A scenario left out: `--fail-fast` stopped the campaign before it, or an interrupt did. */
export function skipped(path: string, reason: string, command: 'run' | 'fuzz' = 'fuzz'): ScenarioResult {
  return {
    scenario: { name: scenarioName(path), path },
    command,
    verdict: 'skipped',
    exitCode: ExitCode.ok,
    durationMs: 0,
    trialsRun: 0,
    steps: [],
    failures: [],
    error: { kind: 'skipped', message: reason },
  };
}

/** Scenario paths as typed from the working directory, so results of machines that share a checkout layout agree. */
const shown = (s: { name: string; path: string }) => ({ name: s.name, path: displayPath(s.path) });

const scenarioName = (path: string) => path.replace(/^.*\//, '').replace(/\.ya?ml$/, '');

/** Combines scenario results into a result set: counts, verdict and exit status follow from the scenarios alone. */
export function resultSet(
  scenarios: ScenarioResult[],
  extra: { shards?: Shard[]; baseSeed?: number; interrupted?: boolean; durationMs?: number; createdAt?: string } = {},
): ResultSet {
  const count = (v: ScenarioVerdict) => scenarios.filter((s) => s.verdict === v).length;
  const counts = { total: scenarios.length, passed: count('pass'), failed: count('fail'), unknown: count('unknown'), skipped: count('skipped') };
  return {
    schemaVersion: 1,
    kind: 'sigstorm-results',
    tool: { name: 'sigstorm', version: VERSION },
    createdAt: extra.createdAt ?? new Date().toISOString(),
    verdict: counts.failed ? 'fail' : counts.unknown ? 'unknown' : 'pass',
    exitCode: Math.max(ExitCode.ok, ...scenarios.map((s) => s.exitCode)),
    counts,
    durationMs: extra.durationMs ?? scenarios.reduce((sum, s) => sum + s.durationMs, 0),
    shards: extra.shards ?? [],
    ...(extra.baseSeed !== undefined ? { baseSeed: extra.baseSeed } : {}),
    interrupted: extra.interrupted ?? false,
    scenarios,
  };
}

/** One line for a log: "FAIL  3 scenarios: 1 failed, 2 passed (shard 1/2, 12.3 s)". */
export function verdictLine(set: ResultSet): string {
  const { counts } = set;
  const parts = [
    counts.failed && `${counts.failed} failed`,
    counts.passed && `${counts.passed} passed`,
    counts.unknown && `${counts.unknown} without a verdict`,
    counts.skipped && `${counts.skipped} skipped`,
  ].filter(Boolean);
  const shards = set.shards.length ? `${shardLabel(set.shards)}, ` : '';
  return `${set.verdict.toUpperCase()}  ${counts.total} scenario(s): ${parts.join(', ') || 'none'}  (${shards}${(set.durationMs / 1000).toFixed(1)} s${set.interrupted ? ', interrupted' : ''})`;
}

export const shardLabel = (shards: Shard[]): string =>
  shards.length === 1 ? `shard ${shards[0]!.index}/${shards[0]!.total}` : `shards ${shards.map((s) => `${s.index}/${s.total}`).join(', ')}`;
