import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cluesOf } from '../../src/oracles/clues.js';
import { diagnose } from '../../src/oracles/diagnose.js';
import { catalogue, runtimesOf, textFor } from '../../src/oracles/diagnoses.js';
import { RUNTIMES, runtimeOf } from '../../src/oracles/runtime.js';
import type { OracleResult } from '../../src/oracles/verdict.js';
import { describeDiagnosis, failureText } from '../../src/report/failure-text.js';
import { toHtml } from '../../src/report/html.js';
import { toJUnit } from '../../src/report/junit.js';
import { toMarkdown } from '../../src/report/markdown.js';
import { resultSet, type ScenarioResult } from '../../src/report/result.js';
import { recordProblems } from '../../src/trial/record-schema.js';
import type { TrialRecord } from '../../src/trial/record.js';

// Saved records (scripts/diagnosis-fixtures.mjs): the zoo's, and two real targets of test/fixtures/runtime-targets/
// (a Python and a Node exit-before-drain, each with its fixed twin), recorded with what their processes ran.
interface Fixture {
  verdict: string;
  results: OracleResult[];
  trial: TrialRecord;
}
const fixture = (name: string): Fixture => JSON.parse(readFileSync(`test/fixtures/diagnosis/${name}.json`, 'utf8')) as Fixture;
const lostDiagnosis = ({ trial, results }: Fixture) => diagnose(trial, results).find((r) => r.oracle === 'lost-requests' && r.verdict === 'fail')!.diagnosis!;
/** A record as it would be without what the processes ran (records written before it was kept). */
const withoutExecutables = (t: TrialRecord): TrialRecord => {
  const { executables: _, ...rest } = t;
  return rest;
};
const withLogs = (t: TrialRecord, lines: string[]): TrialRecord => ({ ...withoutExecutables(t), logs: lines.map((text, i) => ({ atMs: 100 + i, stream: 'stderr', text })) });

describe('the runtime a record shows', () => {
  it.each([
    ['return-on-close.process', 'go', /Go build info \(go1\.\d+/],
    ['python-shutdown-return.process', 'python', /executable \/usr\/bin\/python3/],
    ['node-close-then-exit.process', 'node', /executable .*\/node$/],
    ['jvm-no-hook.process', 'jvm', /executable .*\/bin\/java$/],
  ])('%s: %s, from its executable', (name, runtime, evidence) => {
    const found = runtimeOf(fixture(name).trial);
    expect(found.runtime).toBe(runtime);
    expect(found.evidence).toMatch(evidence);
  });

  it("names a Go binary by its build info, never by its name: without the executable, 'server' stays unknown", () => {
    const { trial } = fixture('return-on-close.process');
    expect(trial.samples[0]!.processes[0]!.comm).toBe('server');
    expect(runtimeOf(withoutExecutables(trial)).runtime).toBe('unknown');
  });

  it("takes an interpreter's comm as evidence in records without executables", () => {
    expect(runtimeOf(fixture('prefork-kill-workers.process').trial)).toMatchObject({ runtime: 'python', evidence: 'the command name python3' });
    expect(runtimeOf(fixture('node-exit-at-once.docker').trial).runtime).toBe('node');
    expect(runtimeOf(fixture('nginx-term.process').trial).runtime).toBe('native');
  });

  it('reads the crash text when nothing else names the runtime', () => {
    expect(runtimeOf(fixture('double-close.process').trial)).toMatchObject({ runtime: 'go', evidence: 'a Go goroutine trace in the log' });
    const trial = withoutExecutables(fixture('sigint-only.process').trial);
    expect(runtimeOf(trial).runtime).toBe('unknown');
    const crashes: [string[], string][] = [
      [['Traceback (most recent call last):', '  File "/app/app.py", line 12, in <module>', 'KeyError: 1'], 'python'],
      [["node:internal/process/promises:289", '    at process.emit (node:events:517:28)'], 'node'],
      [['Exception in thread "main" java.lang.IllegalStateException: closed', '\tat java.base/java.lang.Thread.run(Thread.java:833)'], 'jvm'],
      [["/app/server.rb:14:in `block in <main>': closed stream (IOError)"], 'ruby'],
      [['Unhandled exception. System.InvalidOperationException: closed', '   at Program.Main() in /src/Program.cs:line 9'], 'dotnet'],
      [['2026/12/06 18:00:00 listening on :8080', 'Traceback is a word a service may print'], 'unknown'],
    ];
    for (const [lines, runtime] of crashes) expect(runtimeOf(withLogs(trial, lines)).runtime, lines[0]).toBe(runtime);
  });

  it("does not take an entrypoint's shell for the service: the child it runs is the service", () => {
    for (const name of ['shell-form.process', 'shell-form.docker']) {
      const { trial } = fixture(name);
      expect(trial.samples.flatMap((s) => s.processes).find((p) => p.pid === trial.target.pid)!.comm).toBe('sh');
      const found = runtimeOf(trial);
      expect(found.runtime, name).toBe('go');
      expect(found.evidence).toContain("run by the entrypoint's shell");
    }
  });

  it("takes an init's child for the service (docker's init: true)", () => {
    const { trial } = fixture('pid1-zombies-fixed.docker');
    expect(trial.samples.flatMap((s) => s.processes).find((p) => p.pid === trial.target.pid)!.comm).toBe('docker-init');
    // a record without executables: the child 'server' names no runtime, and docker-init is not taken for the service
    expect(runtimeOf(trial)).toMatchObject({ runtime: 'unknown', evidence: 'a service of unknown runtime, run by docker-init' });
    const child = trial.samples.flatMap((s) => s.processes).find((p) => p.ppid === trial.target.pid)!;
    const init = { pid: trial.target.pid, startTime: 1, comm: 'docker-init', path: '/sbin/docker-init', elf: true };
    const server = { pid: child.pid, startTime: child.startTime, comm: 'server', path: '/server', elf: true, go: 'go1.22.3' };
    expect(runtimeOf({ ...trial, executables: [init, server] })).toMatchObject({ runtime: 'go', evidence: 'Go build info (go1.22.3) in /server, run by docker-init' });
  });

  it('names a shell that runs no other program (or only helpers such as sleep) as the shell', () => {
    const { trial } = fixture('shell-form.process');
    const pid = trial.target.pid;
    const shellOnly = (helpers: string[]) => ({
      ...trial,
      executables: trial.executables!.filter((e) => e.pid === pid),
      samples: trial.samples.map((s) => ({
        ...s,
        processes: s.processes.filter((p) => p.pid === pid).flatMap((p) => [p, ...helpers.map((comm, i) => ({ ...p, pid: pid + 100 + i, ppid: pid, comm }))]),
      })),
    });
    expect(runtimeOf(shellOnly([])).runtime).toBe('shell');
    expect(runtimeOf(shellOnly(['sleep'])).runtime).toBe('shell');
    expect(runtimeOf(shellOnly(['server'])).runtime).toBe('unknown'); // a child of unknown runtime: not the shell's words
  });

  it('keeps records with executables valid for analyze', () => {
    for (const name of ['return-on-close.process', 'python-shutdown-return.process', 'node-close-then-exit.process', 'shell-form.docker']) {
      expect(recordProblems(fixture(name).trial), name).toEqual([]);
    }
  });
});

describe('an exit-before-drain finding in its own runtime\'s terms', () => {
  it.each([
    ['python-shutdown-return.process', 'python', /server\.shutdown\(\)/, /server\.server_close\(\).*joins|daemon_threads = False/],
    ['node-close-then-exit.process', 'node', /server\.close\(\)/, /server\.close\(\)'s callback/],
    ['return-on-close.process', 'go', /ErrServerClosed/, /Wait for Shutdown to return/],
  ])('%s: %s', (name, runtime, cause, fix) => {
    const d = lostDiagnosis(fixture(name));
    expect(d).toMatchObject({ id: 'exit-before-drain', runtime, confidence: 'medium' });
    expect(d.cause).toMatch(cause);
    expect(d.fix).toMatch(fix);
    expect(describeDiagnosis(d)).toContain(`[exit-before-drain, medium confidence, in ${runtime}'s terms]`);
  });

  it('in no other runtime\'s words', () => {
    const words = { go: /ErrServerClosed|Shutdown to return|os\.Exit/, python: /server_close|serve_forever|daemon/, node: /server\.close|process\.exit/ };
    for (const [name, runtime] of [['python-shutdown-return.process', 'python'], ['node-close-then-exit.process', 'node'], ['return-on-close.process', 'go']] as const) {
      const d = lostDiagnosis(fixture(name));
      for (const [other, re] of Object.entries(words)) if (other !== runtime) expect(`${d.cause} ${d.fix}`, `${name} in ${other}'s words`).not.toMatch(re);
    }
  });

  it('the fixed twins pass the same schedule with no diagnosis', () => {
    for (const name of ['python-shutdown-return-fixed.process', 'node-close-then-exit-fixed.process']) {
      const { trial, results, verdict } = fixture(name);
      expect(verdict, name).toBe('pass');
      expect(diagnose(trial, results).filter((r) => r.diagnosis)).toEqual([]);
    }
  });

  it('gets the runtime-neutral sentences when the record names no runtime', () => {
    const { trial, results } = fixture('return-on-close.process');
    const d = lostDiagnosis({ trial: withoutExecutables(trial), results, verdict: 'fail' });
    expect(d).toMatchObject({ id: 'exit-before-drain', runtime: 'unknown' });
    const entry = catalogue.find((e) => e.id === 'exit-before-drain')!;
    expect(d.cause).toBe((entry.cause as { neutral: string }).neutral);
    expect(d.fix).toBe((entry.fix as { neutral: string }).neutral);
    expect(`${d.cause} ${d.fix}`).not.toMatch(/ErrServerClosed|Shutdown|server\.close|server_close|process\.exit/);
    expect(describeDiagnosis(d)).toContain('[exit-before-drain, medium confidence]: ');
  });
});

describe('words per runtime in the catalogue', () => {
  const runtimeWords: Record<string, RegExp> = {
    go: /signal\.Notify|os\.Exit|ErrServerClosed|make\(chan|srv\.|GracefulStop|CloseIdleConnections/,
    python: /signal\.signal|os\._exit|serve_forever|server_close|daemon_threads|threading\./,
    node: /process\.(on|exit)|server\.close\(|closeIdleConnections|closeAllConnections|forceShutdown|tryShutdown/,
    jvm: /addShutdownHook|Runtime\.halt|shutdownNow|server\.shutdown=graceful/,
  };

  it('uses each runtime\'s API only in that runtime\'s sentences, and none in the neutral ones', () => {
    // sentences filled in from the evidence, as for a service a SIGTERM killed by its default action
    const { trial, results } = fixture('sigint-only.process');
    const clues = cluesOf(trial);
    const failure = results.find((r) => r.verdict === 'fail')!;
    let checked = 0;
    for (const entry of catalogue) {
      const texts = runtimesOf(entry);
      if (texts.length === 0) continue;
      for (const runtime of RUNTIMES) {
        for (const part of [entry.cause, entry.fix]) {
          const { text: written, runtime: wroteFor } = textFor(part, runtime);
          const text = typeof written === 'string' ? written : written(clues, failure);
          checked++;
          expect(text, `${entry.id} (${runtime})`).toMatch(/^[A-Z].*\.$/);
          for (const [other, re] of Object.entries(runtimeWords)) if (other !== wroteFor && wroteFor !== undefined) expect(text, `${entry.id} for ${runtime} in ${other}'s words`).not.toMatch(re);
        }
      }
    }
    expect(checked).toBeGreaterThan(200);
  });

  it('has Go, Node and Python words (and a neutral sentence) for the entries whose fix is an API call', () => {
    for (const id of ['exit-before-drain', 'signal-default-action', 'signal-ignored', 'exit-skips-flush', 'exit-skips-cleanup', 'dependency-closed-early', 'grpc-force-shutdown']) {
      const entry = catalogue.find((e) => e.id === id)!;
      expect(runtimesOf(entry), id).toEqual(expect.arrayContaining(['go', 'node', 'python']));
      expect(typeof entry.fix === 'object' && 'neutral' in entry.fix, id).toBe(true);
    }
  });

  it('leaves entries that speak no runtime\'s API as one sentence', () => {
    for (const id of ['shell-no-exec', 'tcp-close-at-once', 'ack-before-commit', 'job-taken-not-kept', 'children-left', 'pid1-no-reap']) {
      expect(runtimesOf(catalogue.find((e) => e.id === id)!), id).toEqual([]);
    }
    const shell = diagnose(fixture('shell-form.docker').trial, fixture('shell-form.docker').results).find((r) => r.diagnosis)!.diagnosis!;
    expect(shell.id).toBe('shell-no-exec');
    expect(shell.runtime).toBeUndefined();
  });

  it("writes a Python service's default-action death in signal.signal terms, a Node one's in process.on terms", () => {
    const python = fixture('python-flush-window.process');
    const node = fixture('node-commit-window.process');
    const of = ({ trial, results }: Fixture) => diagnose(trial, results).find((r) => r.oracle === 'exit-status')!.diagnosis!;
    expect(of(python)).toMatchObject({ id: 'signal-default-action', runtime: 'python' });
    expect(of(python).fix).toContain('signal.signal(signal.SIGTERM, handler)');
    expect(of(node)).toMatchObject({ id: 'signal-default-action', runtime: 'node' });
    expect(of(node).fix).toContain("process.on('SIGTERM', …)");
    const go = fixture('sigint-only.process');
    expect(of(go)).toMatchObject({ id: 'signal-default-action', runtime: 'go' });
    expect(of(go).fix).toContain('signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT)');
    const unknown = of({ ...go, trial: withoutExecutables(go.trial) });
    expect(unknown).toMatchObject({ id: 'signal-default-action', runtime: 'unknown' });
    expect(unknown.fix).toBe('Handle SIGTERM and start a graceful shutdown from it, for as long as the service runs.');
  });

  it("writes a JVM's stop without a shutdown hook in the JVM's terms, and its twin with a hook passes", () => {
    const d = lostDiagnosis(fixture('jvm-no-hook.process'));
    expect(d).toMatchObject({ id: 'signal-default-action', runtime: 'jvm' });
    expect(d.cause).toContain("The JVM ends on SIGTERM (it runs its shutdown hooks");
    expect(d.fix).toContain('Runtime.getRuntime().addShutdownHook');
    expect(d.fix).toContain('server.shutdown=graceful');
    const twin = fixture('jvm-no-hook-fixed.process');
    expect(twin.verdict).toBe('pass');
    expect(diagnose(twin.trial, twin.results).filter((r) => r.diagnosis)).toEqual([]);
  });

  it("writes a Go service's unread signal channel and skipped flush in Go's terms, from its binary's build info", () => {
    const ignored = fixture('unread-notify.process');
    const deadline = diagnose(ignored.trial, ignored.results).find((r) => r.oracle === 'deadline')!.diagnosis!;
    expect(deadline).toMatchObject({ id: 'signal-ignored', runtime: 'go' });
    expect(deadline.cause).toContain('a signal.Notify channel nobody reads');
    const flush = fixture('exit-no-flush.process');
    const acked = diagnose(flush.trial, flush.results).find((r) => r.oracle === 'acked-writes')!.diagnosis!;
    expect(acked).toMatchObject({ id: 'exit-skips-flush', runtime: 'go' });
    expect(acked.cause).toContain('os.Exit skips deferred calls');
    const neutral = diagnose(withoutExecutables(flush.trial), flush.results).find((r) => r.oracle === 'acked-writes')!.diagnosis!;
    expect(neutral).toMatchObject({ id: 'exit-skips-flush', runtime: 'unknown' });
    expect(neutral.cause).not.toContain('os.Exit');
  });
});

describe('the runtime in every output format', () => {
  const { trial, results } = fixture('python-shutdown-return.process');
  const failures = diagnose(trial, results).filter((r) => r.verdict === 'fail');
  const scenario: ScenarioResult = {
    scenario: { name: 'python-shutdown-return', path: 'python-shutdown-return.yml' },
    command: 'run',
    verdict: 'fail',
    exitCode: 1,
    durationMs: 3000,
    trialsRun: 1,
    steps: ['+1500 ms SIGTERM'],
    failures,
  };
  const set = resultSet([scenario]);
  const head = "likely cause [exit-before-drain, medium confidence, in python's terms]: The program ends as soon as serve_forever() returns";

  it('text, JUnit, Markdown, HTML and the JSON all say it', () => {
    expect(failureText(scenario)).toContain(head);
    expect(toJUnit(set)).toContain(head);
    expect(toMarkdown(set)).toContain(`*${head}`);
    expect(toHtml(set)).toContain("in python&#39;s terms]: The program ends as soon as serve_forever() returns");
    expect(JSON.parse(JSON.stringify(set)).scenarios[0].failures[0].diagnosis).toMatchObject({ id: 'exit-before-drain', runtime: 'python' });
  });
});
