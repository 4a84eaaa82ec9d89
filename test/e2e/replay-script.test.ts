import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parse } from 'shell-quote';
import { sigstorm } from '../helpers/cli.js';
import { docCommand } from '../helpers/doc-runs.js';
import { pathWithout } from '../helpers/path-without.js';

// `sigstorm replay --script`: the script it writes is run by plain sh, against real targets, with real signals and
// curl, and says what went wrong by itself.
const dir = mkdtempSync(join(tmpdir(), 'sigstorm-replay-script-'));

/** Writes `data` as JSON in the test's directory; its path. */
function json(name: string, data: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(data));
  return file;
}

/** Writes the script for `file` (extra: more replay flags); its path. */
async function script(name: string, file: string, extra: string[] = []): Promise<string> {
  const out = join(dir, name);
  const written = await sigstorm(['replay', file, '--script', out, ...extra]);
  expect(written.exitCode, written.all).toBe(0);
  expect(written.stdout).toContain(`wrote ${out}: sh ${out} plays`);
  return out;
}

/** How many runs failed, of how many, from the script's last line. */
const tally = (stdout: string) => {
  const [, failed, runs] = /(?:NOT )?REPRODUCED: (\d+) of (\d+) runs failed/.exec(stdout) ?? [];
  return { failed: Number(failed), runs: Number(runs) };
};

describe('replay --script', () => {
  it('reports the requests node-exit-at-once drops at SIGTERM, and no failure for its fixed twin under the same schedule', async () => {
    // A fuzz report's finding as `replay` reads it (the scenario's own schedule, SIGTERM 700 ms in, as its minimal one).
    const report = json('report.json', {
      command: 'fuzz',
      scenario: { name: 'node-exit-at-once', path: 'scenarios/node-exit-at-once.yml' },
      backend: 'process',
      outcome: { kind: 'failed', signature: 'lost-requests/in-flight-lost', minimal: [{ at: 700, kind: 'signal', signal: 'SIGTERM', to: 'main' }] },
    });
    // The files of failing runs, which a script keeps, go under the test's directory (TMPDIR).
    const buggy = await execa('sh', [await script('bug.sh', report), '2'], { env: { TMPDIR: dir }, reject: false, all: true });
    expect(buggy.exitCode, buggy.all).toBe(1);
    expect(tally(buggy.stdout).failed, buggy.all).toBeGreaterThan(0);
    expect(buggy.stdout).toMatch(/^ {2}SIGTERM→main sent at \+\d+ ms$/m);
    // process.exit(0) at once: the exit status is the expected one, the requests in flight are what is lost.
    expect(buggy.stdout).toMatch(/^ {2}exited with status 0 -?\d+ ms after SIGTERM \(\+\d+ ms\), as expected$/m);
    expect(buggy.stdout).toMatch(/^ {2}lost: GET \/slow sent at \+\d+ ms, \d+ ms before SIGTERM: reset \(curl exit \d+, status 000, 0 bytes\), took \d+ ms$/m);
    expect(buggy.stdout).toMatch(/^ {2}\d+ request\(s\) lost of \d+ sent \(\d+ sent before SIGTERM\): \d+ reset$/m);

    const fixed = await execa('sh', [await script('fixed.sh', report, ['--scenario', 'scenarios/node-exit-at-once-fixed.yml']), '2'], { env: { TMPDIR: dir }, reject: false, all: true });
    expect(fixed.stdout, fixed.all).toMatch(/^NOT REPRODUCED: 0 of 2 runs failed$/m);
    expect(fixed.exitCode).toBe(0);
    expect(fixed.stdout.match(/^ {2}no request lost \(\d+ sent, [1-9]\d* of them before SIGTERM\)$/gm)).toHaveLength(2);
  });

  it("reproduces HAProxy's dropped soft-stop (USR1 30 ms after a reload, USR2) with sh, kill, curl and haproxy alone", async () => {
    const schedule = json('haproxy.json', {
      scenario: 'scenarios/real/haproxy-usr2.yml',
      events: [
        { at: 500, signal: 'SIGUSR2' },
        { at: 530, signal: 'SIGUSR1' },
      ],
    });
    // The flaky-shutdown guide's line, its report this schedule and its script in the test's directory.
    const line = docCommand('docs/guides/flaky-shutdown.md', 'replay reports/real-haproxy-usr2/')
      .replace(/reports\/real-haproxy-usr2\/\S+\.json/, schedule)
      .replace('haproxy-repro.sh', join(dir, 'haproxy-repro.sh'));
    const written = await sigstorm(parse(line).map(String));
    expect(written.exitCode, written.all).toBe(0);
    const file = join(dir, 'haproxy-repro.sh');
    expect(written.stdout).toContain(`wrote ${file}: sh ${file} plays`);
    const PATH = pathWithout(/^(node|nodejs|npm|npx|sigstorm)$/);
    expect((await execa('sh', ['-c', 'command -v node npx sigstorm || true'], { env: { PATH } })).stdout).toBe('');
    // A soft-stop that is taken ends within ~4 s (the download in flight): 6 s tells it from a dropped one sooner than 10.
    // The script was written for 10 runs (--times 10); 3 here, as `sh haproxy-repro.sh 3` asks.
    const result = await execa('sh', [file, '3'], { env: { PATH, GRACE_MS: '6000', TMPDIR: dir }, extendEnv: false, reject: false, all: true });
    const { failed, runs } = tally(result.stdout);
    expect(runs, result.all).toBe(3);
    expect(failed, result.all).toBeGreaterThan(0);
    expect(result.exitCode).toBe(1);
    // Every failing run is the dropped soft-stop: never stopped, SIGKILL at the grace period.
    const verdicts = result.stdout.split(/^run \d+ of 3:$/m).slice(1);
    for (const run of verdicts.filter((v) => v.includes('FAILED'))) {
      expect(run).toMatch(/^ {2}still running \d+ ms after SIGUSR1 \(\+\d+ ms\): this script sent SIGKILL, exit status 137; expected 0 within 10000 ms$/m);
    }
    for (const run of verdicts.filter((v) => !v.includes('FAILED'))) expect(run).toMatch(/exited with status 0 \d+ ms after SIGUSR1/);
    const gaps = verdicts.map((v) => Number(/SIGUSR1→main sent at \+(\d+)/.exec(v)![1]) - Number(/SIGUSR2→main sent at \+(\d+)/.exec(v)![1]));
    console.log(`haproxy: ${failed} of ${runs} runs dropped the soft-stop; USR1 came ${gaps.join(', ')} ms after USR2`);
  });

  it('refuses, naming the event, a schedule plain shell cannot play, and flags that would run trials', async () => {
    const paused = json('paused.json', { scenario: 'scenarios/node-exit-at-once.yml', events: [{ at: 100, kind: 'pause', duration: 300 }] });
    const refused = await sigstorm(['replay', paused, '--script', join(dir, 'no.sh')]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/events\[0\] \(\+100 ms pause 300 ms\): cannot be played by a plain shell script: a pause freezes the target/);
    const docker = await sigstorm(['replay', paused, '--script', join(dir, 'no.sh'), '--backend', 'docker']);
    expect(docker.exitCode).toBe(2);
    expect(docker.stderr).toMatch(/--script writes a script and runs nothing: leave out --backend/);
  });
});
