import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { BackendChoice } from '../backends/backend.js';
import { badInput } from '../errors.js';
import type { SchemaFields, SchemaOnlyKeys } from '../input/schema-ties.js';
import { issueLines } from '../input/zod-issue.js';
import type { TrialRecord } from '../trial/record.js';
import { recordProblems } from '../trial/record-schema.js';
import type { FuzzReport, Reproduction } from './fuzz-report.js';
import type { Report } from './report.js';
import { fromFuzzReport, fromRunReport, resultSet, type ResultSet, type ScenarioResult } from './result.js';

// Reading the JSON files sigstorm wrote (report.json of run, fuzz and amplify; result.json; a trial record) or a person
// wrote (a schedule file), and telling what each holds. Each reader refuses what its command cannot use as bad input,
// naming the file and what was expected: the messages are part of the CLI's contract.

/** The JSON value in a file; bad input "<label>: cannot read <what> (<why>)" when it cannot be read or parsed. */
async function readJson(file: string, what: string, label = file): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (error) {
    throw badInput(`${label}: cannot read ${what} (${(error as Error).message})`);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

const BACKEND_CHOICES: readonly unknown[] = ['auto', 'docker', 'process'] satisfies BackendChoice[];

type SavedOutcome = { kind?: string; minimal?: unknown; signature?: string; reproduction?: Reproduction } | undefined;

/** The workload scale and CPU limit a report's schedule ran under (an amplify report's variant; else none). */
function recordedVariant(data: Record<string, unknown>): { workloadScale: number; cpus?: number } {
  const workloadScale = typeof data.workloadScale === 'number' && data.workloadScale > 0 ? data.workloadScale : 1;
  return { workloadScale, ...(typeof data.cpus === 'number' && data.cpus > 0 ? { cpus: data.cpus } : {}) };
}

/** A failing report's finding, as `amplify` starts from it. */
export interface SavedFinding {
  /** The scenario file. */
  path: string;
  signature: string;
  /** Its minimal schedule, unparsed. */
  events: unknown[];
  /** The reproduction the report recorded (0/0 when it has none it can trust). */
  recorded: { failed: number; runs: number };
  workloadScale: number;
  cpus?: number;
  backend: BackendChoice;
  /** A failing trial of the minimal schedule, when the report holds one that is a whole record (a fuzz report's `trial`). */
  trial?: TrialRecord;
}

/** A fuzz or amplify report's finding: its scenario, signature, schedule and recorded rate; bad input otherwise. */
export async function readFinding(file: string): Promise<SavedFinding> {
  const data = (await readJson(file, 'a report')) as Record<string, unknown>;
  const outcome = (data && typeof data === 'object' ? data.outcome : undefined) as SavedOutcome;
  const path = (data?.scenario as { path?: unknown } | undefined)?.path;
  if (outcome?.kind !== 'failed' || !Array.isArray(outcome.minimal) || typeof outcome.signature !== 'string' || typeof path !== 'string') {
    throw badInput(`${file}: expected a report with a finding (outcome.kind "failed", its minimal schedule and signature): there is nothing to amplify`);
  }
  const r = outcome.reproduction;
  const recorded = r && Number.isInteger(r.failed) && Number.isInteger(r.runs) && r.runs >= r.failed && !r.fromEstimate ? { failed: r.failed, runs: r.runs } : { failed: 0, runs: 0 };
  const backend = BACKEND_CHOICES.includes(data.backend) ? (data.backend as BackendChoice) : 'auto';
  // Only a fuzz report's trial is of the minimal schedule (an amplify report's best variant has none of its own).
  const trial = data.command === 'fuzz' && data.trial !== undefined && recordProblems(data.trial).length === 0 ? (data.trial as TrialRecord) : undefined;
  return { path, signature: outcome.signature, events: outcome.minimal, recorded, ...recordedVariant(data), backend, ...(trial ? { trial } : {}) };
}

/** A schedule to replay: a report's (its finding's minimal schedule, or the one it played) or a schedule file's. */
export interface SavedSchedule {
  scenarioPath: string;
  /** The schedule, unparsed. */
  events: unknown[];
  /** The backend the report ran on (absent: not recorded). */
  backend?: BackendChoice;
  /** The failure a fuzz or amplify report found (absent: any failure counts). */
  signature?: string | undefined;
  seed?: number;
  /** An amplify report's variant: the workload scale and CPU limit its schedule ran under. */
  variant: { workloadScale: number; cpus?: number };
  /** With `against`: the reproduction the finding was recorded with. */
  recorded?: Reproduction;
}

/**
 * What `replay` plays from a file: the minimal schedule of a fuzz or amplify report with a finding, the schedule of a
 * run report, or a schedule file `{scenario, events}`. With `against`, the file must be a report with a finding whose
 * recorded rate a fix can be proven against.
 */
export async function readSchedule(file: string, against = false): Promise<SavedSchedule> {
  const data = await readJson(file, 'a report or schedule');
  if (!isObject(data)) throw badInput(`${file}: expected a fuzz report or {"scenario": "path.yml", "events": [...]} (a JSON object)`);
  const backend = data.backend;
  if (backend !== undefined && !BACKEND_CHOICES.includes(backend)) {
    throw badInput(`${file}: backend: expected auto, docker or process, got ${JSON.stringify(backend)}`);
  }
  const outcome = data.outcome as SavedOutcome;
  const recorded = against ? recordedReproduction(file, outcome) : undefined;
  const scenarioPath = (data.scenario as { path?: string } | undefined)?.path ?? (typeof data.scenario === 'string' ? data.scenario : undefined);
  const events = outcome?.kind === 'failed' ? outcome.minimal : (data.events ?? data.schedule);
  if (typeof scenarioPath !== 'string' || !scenarioPath || !Array.isArray(events)) {
    throw badInput(`${file}: expected a fuzz report with a failure, or {"scenario": "path.yml", "events": [...]}`);
  }
  return {
    scenarioPath,
    events,
    ...(backend !== undefined ? { backend: backend as BackendChoice } : {}),
    signature: outcome?.kind === 'failed' ? outcome.signature : undefined,
    ...(typeof data.seed === 'number' ? { seed: data.seed } : {}),
    variant: recordedVariant(data),
    ...(recorded ? { recorded } : {}),
  };
}

/** The reproduction a finding was recorded with: what `replay --against` compares the rate now to. */
function recordedReproduction(file: string, outcome: SavedOutcome): Reproduction {
  if (outcome?.kind !== 'failed') {
    throw badInput(`${file}: --against needs a fuzz report with a finding (outcome.kind "failed"), got ${outcome?.kind ? `"${outcome.kind}"` : 'none'}`);
  }
  const r = outcome.reproduction;
  const whole = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;
  if (!r || !whole(r.failed) || !whole(r.runs) || r.failed > r.runs || typeof r.interval?.low !== 'number') {
    throw badInput(`${file}: outcome.reproduction: expected {failed, runs, rate, interval} as a fuzz report records it`);
  }
  if (r.failed === 0) {
    throw badInput(`${file}: the finding reproduced 0/${r.runs} times when recorded: there is no rate to prove a fix against (replay it without --against)`);
  }
  return r;
}

/** The trial record in a report.json (its `trial`) or a bare trial record file, checked against its schema. */
export async function readTrialRecord(file: string): Promise<TrialRecord> {
  const data = await readJson(file, 'a report or trial record');
  if (!isObject(data)) throw badInput(`${file}: expected a report or trial record (a JSON object)`);
  const record = (data.trial ?? (data.events && data.exit ? data : undefined)) as TrialRecord | undefined;
  if (!record) throw badInput(`${file}: holds no trial record (a report of a trial that never ran has none)`);
  const problems = recordProblems(record);
  if (problems.length) throw badInput(`${file}: not a trial record sigstorm can judge:\n${problems.map((p) => `  ${data.trial ? 'trial.' : ''}${p}`).join('\n')}`);
  return record;
}

/**
 * The results in a result.json, or in a report.json of `run` or `fuzz` (one scenario's), as a result set: what
 * `merge` reads, so its messages start with `merge:`.
 */
export async function readResults(file: string): Promise<ResultSet> {
  const read = await readJson(file, 'it as JSON', `merge: ${file}`);
  const data = isObject(read) ? read : {};
  if (data.kind === 'sigstorm-results') {
    const checked = ResultSetShape.safeParse(data);
    if (!checked.success) throw badInput(`merge: ${file}: not a result.json sigstorm can read: ${firstIssue(checked.error)}`);
    return data as unknown as ResultSet;
  }
  if (data.command === 'fuzz' || data.command === 'run') {
    let result: unknown;
    try {
      result = data.command === 'fuzz' ? fromFuzzReport(data as unknown as FuzzReport, file) : fromRunReport(data as unknown as Report, file);
    } catch (error) {
      throw badInput(`merge: ${file}: not a report.json sigstorm can read (${(error as Error).message})`);
    }
    const checked = ScenarioResultShape.safeParse(result);
    if (!checked.success) throw badInput(`merge: ${file}: not a report.json sigstorm can read: ${firstIssue(checked.error)}`);
    return resultSet([result as ScenarioResult], { createdAt: String(data.createdAt ?? '') });
  }
  throw badInput(`merge: ${file}: neither a sigstorm result.json nor a report.json`);
}

/** What merge and the renderers read of a result.json (written by another sigstorm, perhaps another version). */
const ScenarioResultShape = z.looseObject({
  scenario: z.looseObject({ name: z.string(), path: z.string() }),
  command: z.enum(['run', 'fuzz']),
  verdict: z.enum(['pass', 'fail', 'unknown', 'skipped']),
  exitCode: z.number().int().min(0).max(255),
  durationMs: z.number(),
  trialsRun: z.number(),
  steps: z.array(z.string()),
  failures: z.array(z.looseObject({ oracle: z.string(), verdict: z.string(), message: z.string() })),
  error: z.looseObject({ kind: z.string(), message: z.string() }).optional(),
});
const ResultSetShape = z.looseObject({
  createdAt: z.string(),
  shards: z.array(z.looseObject({ index: z.number().int().min(1), total: z.number().int().min(1) })),
  interrupted: z.boolean(),
  scenarios: z.array(ScenarioResultShape),
});

// Tied to result.ts at compile time (see input/schema-ties.ts): every result set of `run` and `fuzz` passes the
// shapes, and they check no key the types lack. (A `replay` result is refused: merge reads run and fuzz results.)
({}) as ResultSet & { scenarios: (ScenarioResult & { command: 'run' | 'fuzz' })[] } satisfies SchemaFields<z.input<typeof ResultSetShape>>;
[] as SchemaOnlyKeys<z.input<typeof ResultSetShape>, ResultSet>[] satisfies never[];

const firstIssue = (error: z.ZodError) => issueLines(error, '(top)')[0]!;
