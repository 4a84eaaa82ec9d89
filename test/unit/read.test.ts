import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode, SigstormError } from '../../src/errors.js';
import { readFinding, readResults, readSchedule, readTrialRecord } from '../../src/report/read.js';
import { resultSet, type ScenarioResult } from '../../src/report/result.js';
import { tempFiles } from '../helpers/files.js';

// report/read.ts: each kind of file sigstorm reads back, and each way a file is refused (bad input, exit 2, with the
// messages the CLI prints).

const record = JSON.parse(readFileSync('test/fixtures/fd/hup-leak.docker.json', 'utf8')) as Record<string, unknown>;
const reproduction = { failed: 3, runs: 4, rate: 0.75, interval: { low: 0.3, high: 0.95 } };
const header = (command: string) => ({
  schemaVersion: 1, tool: { name: 'sigstorm', version: '0' }, command, runId: 'r', createdAt: '2026-12-01T00:00:00.000Z',
  scenario: { name: 'demo', path: 'scenarios/demo.yml' }, backend: 'process',
});
const minimal = [{ at: 100, kind: 'signal', signal: 'SIGTERM', to: 'main' }];
const fuzzReport = {
  ...header('fuzz'), seed: 7, path: null, schedulesTried: 1, trialsRun: 5, infrastructureErrors: 0, durationMs: 10, timeToFirstFailureMs: 5, verdict: 'fail',
  interrupted: false, complete: true, minimalSteps: ['+100 ms SIGTERM→main'], findings: [], shrinkBudgetExhausted: false, replay: 'npx sigstorm replay x',
  outcome: { kind: 'failed', signature: 'exit-status/wrong-status', minimal, original: minimal, shrinkSteps: 0, reproduction, failures: [] },
};
const passedReport = { ...fuzzReport, verdict: 'pass', outcome: { kind: 'passed' } };
const amplifyReport = { ...header('amplify'), from: 'f', signature: 'exit-status/wrong-status', workloadScale: 4, cpus: 0.5, outcome: { kind: 'failed', signature: 'exit-status/wrong-status', minimal, reproduction } };
const runReport = {
  ...header('run'), seed: null, trialsRun: 1, verdict: 'fail', interrupted: false, schedule: minimal, failures: [], results: [], replay: 'npx sigstorm run x', coverage: [], trial: record,
};
const scenarioResult: ScenarioResult = { scenario: { name: 'demo', path: 'scenarios/demo.yml' }, command: 'fuzz', verdict: 'pass', exitCode: 0, durationMs: 1, trialsRun: 1, steps: [], failures: [] };

/** Writes each value as a JSON file (a string as it is) and returns the path of each. */
function files(contents: Record<string, unknown>): Record<string, string> {
  const dir = tempFiles(Object.fromEntries(Object.entries(contents).map(([name, v]) => [name, typeof v === 'string' ? v : JSON.stringify(v)])));
  return Object.fromEntries(Object.keys(contents).map((name) => [name, join(dir, name)]));
}

/** The bad-input message a promise rejects with. */
async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(SigstormError);
  expect((error as SigstormError).exitCode).toBe(ExitCode.badInput);
  return (error as Error).message;
}

describe('reading a finding (amplify)', () => {
  it("reads a fuzz report's finding: scenario, signature, schedule, recorded rate and backend", async () => {
    const f = files({ 'fuzz.json': fuzzReport, 'estimate.json': { ...fuzzReport, backend: 'kubernetes', outcome: { ...fuzzReport.outcome, reproduction: { ...reproduction, fromEstimate: true } } } });
    expect(await readFinding(f['fuzz.json']!)).toEqual({
      path: 'scenarios/demo.yml', signature: 'exit-status/wrong-status', events: minimal, recorded: { failed: 3, runs: 4 }, workloadScale: 1, backend: 'process',
    });
    // A rate from the estimate runs is not a recorded reproduction; a backend it does not know is left to choose.
    expect(await readFinding(f['estimate.json']!)).toMatchObject({ recorded: { failed: 0, runs: 0 }, backend: 'auto' });
  });

  it("reads an amplify report's finding with its variant", async () => {
    const f = files({ 'amplify.json': amplifyReport });
    expect(await readFinding(f['amplify.json']!)).toMatchObject({ workloadScale: 4, cpus: 0.5, recorded: { failed: 3, runs: 4 } });
  });

  it('refuses a file it cannot read, and a report without a finding', async () => {
    const f = files({ 'passed.json': passedReport, 'null.json': 'null', 'broken.json': '{' });
    expect(await refusal(readFinding(join(f['passed.json']!, '..', 'nope.json')))).toMatch(/nope\.json: cannot read a report \(ENOENT: /);
    expect(await refusal(readFinding(f['broken.json']!))).toMatch(/broken\.json: cannot read a report \(.*JSON/);
    for (const file of [f['passed.json']!, f['null.json']!]) {
      expect(await refusal(readFinding(file))).toBe(
        `${file}: expected a report with a finding (outcome.kind "failed", its minimal schedule and signature): there is nothing to amplify`,
      );
    }
  });
});

describe('reading a schedule (replay)', () => {
  it('reads the minimal schedule and signature of a fuzz report, the schedule of a run report, and a schedule file', async () => {
    const f = files({ 'fuzz.json': fuzzReport, 'run.json': runReport, 'schedule.json': { scenario: 'scenarios/x.yml', events: minimal }, 'amplify.json': amplifyReport });
    expect(await readSchedule(f['fuzz.json']!)).toEqual({
      scenarioPath: 'scenarios/demo.yml', events: minimal, backend: 'process', signature: 'exit-status/wrong-status', seed: 7, variant: { workloadScale: 1 },
    });
    expect(await readSchedule(f['run.json']!)).toEqual({ scenarioPath: 'scenarios/demo.yml', events: minimal, backend: 'process', signature: undefined, variant: { workloadScale: 1 } });
    expect(await readSchedule(f['schedule.json']!)).toEqual({ scenarioPath: 'scenarios/x.yml', events: minimal, signature: undefined, variant: { workloadScale: 1 } });
    expect(await readSchedule(f['amplify.json']!)).toMatchObject({ signature: 'exit-status/wrong-status', variant: { workloadScale: 4, cpus: 0.5 } });
    expect((await readSchedule(f['fuzz.json']!, true)).recorded).toEqual(reproduction);
  });

  it('refuses what it cannot replay, with the messages the CLI prints', async () => {
    const f = files({
      'broken.json': '[1,',
      'array.json': [],
      'backend.json': { ...fuzzReport, backend: 'kubernetes' },
      'passed.json': passedReport,
      'no-events.json': { scenario: 'scenarios/x.yml' },
      'schedule.json': { scenario: 'scenarios/x.yml', events: [] },
      'no-rate.json': { ...fuzzReport, outcome: { ...fuzzReport.outcome, reproduction: { failed: 1 } } },
      'zero.json': { ...fuzzReport, outcome: { ...fuzzReport.outcome, reproduction: { ...reproduction, failed: 0 } } },
    });
    expect(await refusal(readSchedule(f['broken.json']!))).toMatch(/broken\.json: cannot read a report or schedule \(/);
    expect(await refusal(readSchedule(f['array.json']!))).toBe(`${f['array.json']}: expected a fuzz report or {"scenario": "path.yml", "events": [...]} (a JSON object)`);
    expect(await refusal(readSchedule(f['backend.json']!))).toBe(`${f['backend.json']}: backend: expected auto, docker or process, got "kubernetes"`);
    for (const file of [f['passed.json']!, f['no-events.json']!]) {
      expect(await refusal(readSchedule(file))).toBe(`${file}: expected a fuzz report with a failure, or {"scenario": "path.yml", "events": [...]}`);
    }
    expect(await refusal(readSchedule(f['passed.json']!, true))).toBe(`${f['passed.json']}: --against needs a fuzz report with a finding (outcome.kind "failed"), got "passed"`);
    expect(await refusal(readSchedule(f['schedule.json']!, true))).toBe(`${f['schedule.json']}: --against needs a fuzz report with a finding (outcome.kind "failed"), got none`);
    expect(await refusal(readSchedule(f['no-rate.json']!, true))).toBe(`${f['no-rate.json']}: outcome.reproduction: expected {failed, runs, rate, interval} as a fuzz report records it`);
    expect(await refusal(readSchedule(f['zero.json']!, true))).toBe(
      `${f['zero.json']}: the finding reproduced 0/4 times when recorded: there is no rate to prove a fix against (replay it without --against)`,
    );
  });
});

describe('reading a trial record (analyze)', () => {
  it("reads a bare trial record and a report's trial", async () => {
    const f = files({ 'record.json': record, 'run.json': runReport });
    expect(await readTrialRecord(f['record.json']!)).toEqual(record);
    expect(await readTrialRecord(f['run.json']!)).toEqual(record);
  });

  it('refuses a file without a record it can judge', async () => {
    const f = files({
      'broken.json': '',
      'string.json': '"x"',
      'never-ran.json': { ...runReport, trial: undefined },
      'bad-trial.json': { ...runReport, trial: { ...record, events: [{ kind: 'signal' }] } },
      'bad-record.json': { ...record, exit: { status: 'x' } },
    });
    expect(await refusal(readTrialRecord(f['broken.json']!))).toMatch(/broken\.json: cannot read a report or trial record \(/);
    expect(await refusal(readTrialRecord(f['string.json']!))).toBe(`${f['string.json']}: expected a report or trial record (a JSON object)`);
    expect(await refusal(readTrialRecord(f['never-ran.json']!))).toBe(`${f['never-ran.json']}: holds no trial record (a report of a trial that never ran has none)`);
    expect(await refusal(readTrialRecord(f['bad-trial.json']!))).toMatch(/bad-trial\.json: not a trial record sigstorm can judge:\n {2}trial\.events\[0\]\.at: missing: expected number/);
    expect(await refusal(readTrialRecord(f['bad-record.json']!))).toMatch(/bad-record\.json: not a trial record sigstorm can judge:\n {2}exit\.exitCode: missing: /);
  });
});

describe('reading results (merge)', () => {
  it('reads a result.json as it is, and a report.json of run or fuzz as a set of one scenario', async () => {
    const set = resultSet([scenarioResult], { createdAt: '2026-12-02T00:00:00.000Z' });
    const f = files({ 'result.json': set, 'fuzz.json': fuzzReport, 'run.json': runReport });
    expect(await readResults(f['result.json']!)).toEqual(set);
    const fuzz = await readResults(f['fuzz.json']!);
    expect(fuzz).toMatchObject({ createdAt: '2026-12-01T00:00:00.000Z', verdict: 'fail', scenarios: [{ command: 'fuzz', reportPath: f['fuzz.json'], seed: 7 }] });
    expect((await readResults(f['run.json']!)).scenarios).toMatchObject([{ command: 'run', verdict: 'fail', steps: ['+100 ms SIGTERM→main'] }]);
  });

  it('refuses what is neither, naming merge and the key that is wrong', async () => {
    const f = files({
      'broken.json': 'nope',
      'bad-set.json': { kind: 'sigstorm-results', createdAt: 'x', shards: [], interrupted: false, scenarios: [{}] },
      'unconvertible.json': { ...fuzzReport, outcome: undefined },
      'bad-report.json': { ...runReport, verdict: 'maybe' },
      'amplify.json': amplifyReport,
      'null.json': 'null',
    });
    expect(await refusal(readResults(f['broken.json']!))).toMatch(/^merge: .*broken\.json: cannot read it as JSON \(/);
    expect(await refusal(readResults(f['bad-set.json']!))).toBe(`merge: ${f['bad-set.json']}: not a result.json sigstorm can read: scenarios[0].scenario: missing: expected object`);
    expect(await refusal(readResults(f['unconvertible.json']!))).toMatch(/^merge: .*unconvertible\.json: not a report\.json sigstorm can read \(.*kind/);
    expect(await refusal(readResults(f['bad-report.json']!))).toMatch(/^merge: .*bad-report\.json: not a report\.json sigstorm can read: verdict: /);
    for (const file of [f['amplify.json']!, f['null.json']!]) {
      expect(await refusal(readResults(file))).toBe(`merge: ${file}: neither a sigstorm result.json nor a report.json`);
    }
  });
});
