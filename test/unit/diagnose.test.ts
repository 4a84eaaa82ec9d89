import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/oracles/diagnose.js';
import { catalogue } from '../../src/oracles/diagnoses.js';
import type { OracleResult } from '../../src/oracles/verdict.js';
import { failureText } from '../../src/report/failure-text.js';
import { toHtml } from '../../src/report/html.js';
import { toJUnit } from '../../src/report/junit.js';
import { toMarkdown } from '../../src/report/markdown.js';
import { resultSet, type ScenarioResult } from '../../src/report/result.js';
import type { TrialRecord } from '../../src/trial/record.js';

// Saved trial records of the zoo (trimmed by scripts/diagnosis-fixtures.mjs), with the oracle results they got:
// every bug's failure gets the diagnosis targets/zoo.json names, and no twin's passing record gets any.
interface Fixture {
  verdict: string;
  results: OracleResult[];
  trial: TrialRecord;
}
const fixture = (scenario: string, backend: string): Fixture =>
  JSON.parse(readFileSync(`test/fixtures/diagnosis/${scenario}.${backend}.json`, 'utf8')) as Fixture;

const { targets } = JSON.parse(readFileSync('targets/zoo.json', 'utf8')) as {
  targets: { scenario: string; diagnosis?: string; expect: Record<string, { oracle?: string; diagnosis?: string }> }[];
};
// A backend's own diagnosis (`expect.<backend>.diagnosis`) where the same bug shows differently there.
const rows = targets.flatMap((t) => Object.entries(t.expect).map(([backend, e]) => ({ scenario: t.scenario, backend, oracle: e.oracle, diagnosis: e.diagnosis ?? t.diagnosis })));
const bugs = rows.filter((r) => r.oracle);
const twins = rows.filter((r) => !r.oracle);

/** What a person would not give a diagnosis away by: the scenario's name, its path, and the zoo's own mode line. */
function anonymous(record: TrialRecord): TrialRecord {
  return {
    ...record,
    scenario: { name: 'service', path: 'service.yml' },
    runId: 'run',
    logs: record.logs.map((l) => ({ ...l, text: l.text.replace(/mode=\S+/g, 'mode=?') })),
  };
}

describe('diagnosis of every zoo bug, from its saved record', () => {
  it.each(bugs)('$scenario on $backend: $diagnosis', ({ scenario, backend, oracle, diagnosis }) => {
    const { trial, results } = fixture(scenario, backend);
    expect(diagnosis, 'targets/zoo.json names the diagnosis of every bug').toBeDefined();
    const diagnosed = diagnose(anonymous(trial), results);
    const failure = diagnosed.find((r) => `${r.oracle}/${r.kind}` === oracle)!;
    expect(failure.diagnosis?.id).toBe(diagnosis);
    expect(failure.diagnosis!.cause).toMatch(/^[A-Z].*\.$/);
    expect(failure.diagnosis!.fix).toMatch(/^[A-Z].*\.$/);
    // every failure carries one, and only failures do
    for (const r of diagnosed) expect(r.diagnosis !== undefined).toBe(r.verdict === 'fail');
  });
});

describe('no diagnosis for a twin', () => {
  it.each(twins)('$scenario on $backend passes with none', ({ scenario, backend }) => {
    const { trial, results, verdict } = fixture(scenario, backend);
    expect(verdict).toBe('pass');
    expect(diagnose(trial, results).filter((r) => r.diagnosis)).toEqual([]);
  });
});

describe('the catalogue', () => {
  it('names each entry once, and every zoo diagnosis is one of them', () => {
    const ids = catalogue.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const b of bugs) expect(ids).toContain(b.diagnosis);
  });

  it('says "cause unknown" when no entry explains a failure', () => {
    const { trial } = fixture('stack-graceful', 'process');
    const odd: OracleResult = { oracle: 'dependencies', verdict: 'fail', kind: 'died', message: 'redis died' };
    expect(diagnose(trial, [odd])[0]!.diagnosis).toMatchObject({ id: 'unknown', confidence: 'low' });
  });

  it('is led by the evidence: the same deadline failure without its streams is no longer blamed on them', () => {
    const { trial, results } = fixture('stream-forever', 'process');
    const noStreams = { ...trial, ledger: trial.ledger.filter((e) => e.kind !== 'stream') };
    const deadline = (r: OracleResult[]) => r.find((x) => x.oracle === 'deadline')!.diagnosis!.id;
    expect(deadline(diagnose(trial, results))).toBe('stream-holds-drain');
    expect(deadline(diagnose(noStreams, results))).not.toBe('stream-holds-drain');
  });

  it('names another Go panic in the shutdown path as such, not as the double close', () => {
    const { trial, results } = fixture('double-close', 'process');
    const other = { ...trial, logs: trial.logs.map((l) => ({ ...l, text: l.text.replace('close of closed channel', 'runtime error: index out of range [3] with length 3') })) };
    const exit = diagnose(other, results).find((r) => r.oracle === 'exit-status')!;
    expect(exit.diagnosis).toMatchObject({ id: 'panic-in-shutdown', confidence: 'medium' });
    expect(exit.diagnosis!.cause).toContain('index out of range');
  });

  it('names the keep-alive hang when a busy target took the signal late and served a fresh connection first (once in a loaded CI run)', () => {
    const { trial, results } = fixture('node-keepalive-hang', 'docker');
    const at = trial.events.find((e) => e.kind === 'signal')!.deliveredMs!;
    const firstTurnedAway = Math.min(...trial.ledger.filter((e) => !e.reused && e.sentMs > at && e.outcome !== 'ok').map((e) => e.sentMs));
    const freshServed = (sentMs: number) => ({ ...trial.ledger[0]!, id: 999, reused: false, sentMs, firstByteMs: sentMs + 1, endMs: sentMs + 2, outcome: 'ok' as const });
    const withFresh = (sentMs: number) => ({ ...trial, ledger: [...trial.ledger, freshServed(sentMs)] });
    const deadline = (t: TrialRecord) => diagnose(t, results).find((r) => r.oracle === 'deadline')!.diagnosis!.id;
    expect(deadline(withFresh(at + 1))).toBe('keepalive-holds-close');
    // a fresh connection served after the target had turned one away: it still listens, so not this hang
    expect(deadline(withFresh(firstTurnedAway + 10))).not.toBe('keepalive-holds-close');
  });

  it('does not take the requests refused at the kill of a target that kept listening for a keep-alive hang (once in a loaded CI run)', () => {
    const { trial, results } = fixture('node-commit-window', 'docker');
    const killedAt = trial.exit.killedAtMs!;
    const fresh = trial.ledger.filter((e) => !e.reused && e.sentMs > trial.exit.killedAtMs! - 3000);
    expect(fresh.length, 'the fixture served fresh connections after the signal').toBeGreaterThan(0);
    // what the run saw: the fresh connections of the last second failed as the container was killed
    const refusedAtKill = (sentMs: number, i: number) => ({ ...fresh[0]!, id: 900 + i, sentMs, endMs: killedAt + 5 + i, outcome: 'refused' as const, status: undefined, bytes: 0 });
    const late = trial.ledger.filter((e) => e.reused || e.sentMs < killedAt - 1000);
    const record = { ...trial, ledger: [...late, ...[killedAt - 20, killedAt - 10, killedAt + 2].map(refusedAtKill)] };
    expect(diagnose(record, results).find((r) => r.oracle === 'deadline')!.diagnosis!.id).toBe('signal-ignored');
  });

  it('names the second signal that forced the stop when a busy machine saw the exit 122 ms after it (once in a loaded CI run)', () => {
    const { trial, results } = fixture('repeat-sigint-stops', 'docker');
    const second = trial.events.filter((e) => e.kind === 'signal').at(-1)!.deliveredMs!;
    const at = (gapMs: number, status: number) => ({ ...trial, exit: { ...trial.exit, exitCode: status, status, atMs: second + gapMs } });
    const exit = (t: TrialRecord) => diagnose(t, results).find((r) => r.oracle === 'exit-status')!.diagnosis!.id;
    expect(exit(at(5, 1))).toBe('second-signal-forced');
    expect(exit(at(122, 1))).toBe('second-signal-forced');
    // beyond the second-signal window (1 s by default) the exit is no longer put down to that signal
    expect(exit(at(1500, 1))).not.toBe('second-signal-forced');
  });

  it('names the signal whose default action killed the target', () => {
    const hup = diagnose(fixture('hup-unhandled', 'docker').trial, fixture('hup-unhandled', 'docker').results).find((r) => r.oracle === 'alive')!;
    const term = diagnose(fixture('sigint-only', 'process').trial, fixture('sigint-only', 'process').results).find((r) => r.oracle === 'exit-status')!;
    expect(hup.diagnosis!.cause).toContain('SIGHUP');
    expect(term.diagnosis!.cause).toContain('SIGTERM');
  });
});

describe('in every output format', () => {
  const { trial, results } = fixture('shell-form', 'docker');
  const failures = diagnose(trial, results).filter((r) => r.verdict === 'fail');
  const scenario: ScenarioResult = {
    scenario: { name: 'shell-form', path: 'scenarios/shell-form.yml' },
    command: 'run',
    verdict: 'fail',
    exitCode: 1,
    durationMs: 3000,
    trialsRun: 1,
    steps: ['+0 ms SIGTERM'],
    failures,
  };
  const set = resultSet([scenario]);
  const cause = "The entrypoint's shell (sh) runs the service as its child and does not pass signals on to it.";

  it('text, JUnit, Markdown, HTML and the JSON all carry it', () => {
    expect(failureText(scenario)).toContain(`likely cause [shell-no-exec, high confidence]: ${cause} Fix: Start the service with exec`);
    expect(toJUnit(set)).toContain(`likely cause [shell-no-exec, high confidence]: ${cause}`);
    expect(toMarkdown(set)).toContain(`*likely cause [shell-no-exec, high confidence]: ${cause}`);
    expect(toHtml(set)).toContain('<p class="diagnosis" data-diagnosis="shell-no-exec">likely cause [shell-no-exec, high confidence]: The entrypoint&#39;s shell');
    expect(JSON.parse(JSON.stringify(set)).scenarios[0].failures[0].diagnosis).toMatchObject({ id: 'shell-no-exec', confidence: 'high', cause });
  });
});

describe('exit-before-drain on a busy machine', () => {
  // return-on-close answers /slow in 500 ms; its SIGTERM at +700 cut requests sent up to 174 ms before it.
  const atExit = (afterSignalMs: number) => {
    const { trial, results } = fixture('return-on-close', 'process');
    const signalMs = trial.events[0]!.deliveredMs!;
    const late = { ...trial, exit: { ...trial.exit, atMs: signalMs + afterSignalMs } };
    return diagnose(anonymous(late), results).find((r) => `${r.oracle}/${r.kind}` === 'lost-requests/in-flight-lost')!.diagnosis?.id;
  };

  it('still names the exit before the drain when it came 65 ms after the signal (once in CI): before any reset request was due', () => {
    expect(atExit(3)).toBe('exit-before-drain');
    expect(atExit(65)).toBe('exit-before-drain');
  });

  it('does not name it once every reset request was past its due time', () => {
    expect(atExit(600)).not.toBe('exit-before-drain');
  });
});
