import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { saveFinding } from '../../src/fuzz/findings.js';
import type { FuzzReport } from '../../src/report/fuzz-report.js';
import type { Report } from '../../src/report/report.js';
import type { Schedule } from '../../src/schedule/event.js';
import { sigstorm } from '../helpers/cli.js';
import { collectJournal, leftoversOf, newDir, newStateDir, reachedPhase, runIdsIn, sweepStateDirs } from '../helpers/leftovers.js';

const partition = '[{"at":100,"kind":"partition","direction":"both","mode":"drop","duration":"20s"}]';
// Between the API and its Redis: rules in both containers' namespaces (docker), a proxy on the edge (process).
const edge = '[{"at":100,"kind":"partition","between":["stack-graceful","redis"],"mode":"drop","duration":"20s"}]';

/**
 * A schedule double-close fails every time (two kill() calls microseconds apart: the second close panics), saved
 * as an earlier campaign's finding: tried first, it takes a campaign to shrinking by design, not by a random search.
 */
const doubleClose = [{ at: 0, kind: 'race', signals: ['SIGTERM', 'SIGINT'], to: 'main' }] as Schedule;

/** Each phase: the command, the journal phase at which the signal lands, and how long after it. */
const phases = [
  { phase: 'prepare', args: ['run', 'scenarios/shell-form-fixed.yml', '--backend', 'docker'], delayMs: 0 },
  { phase: 'starting', args: ['run', 'scenarios/unread-notify.yml', '--backend', 'docker'], delayMs: 0 },
  { phase: 'ready', args: ['run', 'scenarios/unread-notify.yml', '--backend', 'process'], delayMs: 300 },
  { phase: 'fault', args: ['run', 'scenarios/return-on-close-fixed.yml', '--backend', 'docker', '--events', partition], delayMs: 200 },
  { phase: 'fault', args: ['run', 'scenarios/stack-graceful.yml', '--backend', 'docker', '--events', edge], delayMs: 200 },
  { phase: 'fault', args: ['run', 'scenarios/stack-graceful.yml', '--backend', 'process', '--events', edge], delayMs: 200 },
  // During a Kubernetes preStop hook: a command of the target's (process), a sleep with a container (docker).
  { phase: 'stopping', args: ['run', 'test/fixtures/stop/k8s-exec-hook.yml', '--backend', 'process'], delayMs: 500 },
  { phase: 'stopping', args: ['run', 'scenarios/k8s-prestop-over-grace.yml', '--backend', 'docker'], delayMs: 500 },
  { phase: 'shrinking', args: ['fuzz', 'scenarios/double-close.yml', '--backend', 'process', '--seed', '7', '--runs', '40'], delayMs: 0, saved: doubleClose },
  { phase: 'confirming', args: ['fuzz', 'scenarios/double-close.yml', '--backend', 'docker', '--seed', '7', '--runs', '40'], delayMs: 300, saved: doubleClose },
] as const;

const readReport = <T,>(dir: string): T | undefined => {
  // Scenario directories only: result.json (the invocation's combined result) sits beside them.
  for (const scenario of readdirSync(dir).filter((n) => !n.endsWith('.json'))) {
    for (const run of readdirSync(join(dir, scenario)).filter((r) => !r.endsWith('.json'))) {
      return JSON.parse(readFileSync(join(dir, scenario, run, 'report.json'), 'utf8')) as T;
    }
  }
  return undefined;
};

/**
 * Starts sigstorm, signals it at `phase` (and, with `again`, once more as soon as it said it took the first: two
 * signals a few ms apart coalesce into one when a busy machine does not run sigstorm in between), and returns what
 * it did and left.
 */
async function interruptAt(args: readonly string[], phase: string, signal: NodeJS.Signals, delayMs: number, again = false, saved?: Schedule) {
  const stateDir = newStateDir();
  const reportDir = newDir('reports');
  if (saved) await saveFinding(reportDir, 'double-close', { signature: 'second-signal/not-ignored', schedule: saved, foundAt: new Date().toISOString(), runId: 'earlier' });
  const child = sigstorm([...args, '--report-dir', reportDir], { env: { SIGSTORM_STATE_DIR: stateDir } });
  const journal = collectJournal(stateDir, child.pid!);
  await reachedPhase(stateDir, child.pid!, phase);
  await new Promise((r) => setTimeout(r, delayMs));
  const signalledAt = Date.now();
  if (again) {
    let said = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      if (said.includes('(again to force)')) return;
      said += chunk.toString();
      if (said.includes('(again to force)')) child.kill(signal);
    });
  }
  child.kill(signal);
  const result = await child;
  const stoppedMs = Date.now() - signalledAt;
  const records = journal.stop();
  return { result, stoppedMs, records, reportDir, stateDir, leftovers: leftoversOf(child.pid!, runIdsIn(records), records) };
}

afterAll(sweepStateDirs);

describe('interrupting sigstorm at every phase', () => {
  for (const { phase, args, delayMs, ...rest } of phases) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      it(`${signal} while ${phase} (${args[0]} ${args[1].replace(/^scenarios\//, "")} --backend ${args[3]}) stops it cleanly and keeps the report`, async () => {
        const { result, stoppedMs, records, reportDir, leftovers } = await interruptAt(args, phase, signal, delayMs, false, 'saved' in rest ? rest.saved : undefined);
        expect(result.exitCode, result.all).toBe(signal === 'SIGINT' ? 130 : 143);
        expect(result.all).not.toMatch(/internal error|\n\s+at /);
        expect(stoppedMs).toBeLessThan(20_000);
        expect(leftovers).toEqual([]);
        // Everything announced was released, so the journal was removed.
        expect(records.some((r) => r.op === 'intent') || phase === 'prepare').toBe(true);
        const report = readReport<Report | FuzzReport>(reportDir);
        expect(report, 'a partial report').toBeDefined();
        expect(report!.interrupted).toBe(true);
        if (phase === 'shrinking' || phase === 'confirming') {
          // The failure found before the interrupt is kept, with its smallest schedule so far.
          const fuzzReport = report as FuzzReport;
          expect(fuzzReport.outcome.kind).toBe('failed');
          if (fuzzReport.outcome.kind === 'failed') expect(fuzzReport.outcome.minimal.length).toBeGreaterThan(0);
          expect(fuzzReport.verdict).toBe('fail');
        } else {
          expect(report!.verdict).toBe('unknown');
        }
      });
    }
  }

  it('SIGHUP (terminal closed) mid-trial stops it the same way, exit 129', async () => {
    const { result, leftovers, reportDir } = await interruptAt(['run', 'scenarios/unread-notify.yml', '--backend', 'docker'], 'ready', 'SIGHUP', 200);
    expect(result.exitCode, result.all).toBe(129);
    expect(leftovers).toEqual([]);
    expect(readReport<Report>(reportDir)?.interrupted).toBe(true);
  });

  it("its output's reader gone mid-campaign (`| head`) stops it the same way, as SIGPIPE: exit 141", async () => {
    const stateDir = newStateDir();
    const reportDir = newDir('reports');
    const args = ['fuzz', 'scenarios/unread-notify-fixed.yml', '--backend', 'process', '--budget', '60s', '--report-dir', reportDir];
    const child = sigstorm(args, { env: { SIGSTORM_STATE_DIR: stateDir } });
    const journal = collectJournal(stateDir, child.pid!);
    await reachedPhase(stateDir, child.pid!, 'starting');
    // Both pipes closed on the reading side: sigstorm's next progress line meets EPIPE.
    child.stdout!.destroy();
    child.stderr!.destroy();
    const result = await child;
    const records = journal.stop();
    expect(result.exitCode).toBe(141);
    expect(records.some((r) => r.op === 'intent')).toBe(true);
    expect(leftoversOf(child.pid!, runIdsIn(records), records)).toEqual([]);
    expect(readReport<FuzzReport>(reportDir)?.interrupted).toBe(true);
  });

  it('a second SIGINT forces the exit at once, still removing the container', async () => {
    const { result, leftovers, stoppedMs } = await interruptAt(['run', 'scenarios/unread-notify.yml', '--backend', 'docker'], 'ready', 'SIGINT', 100, true);
    expect(result.exitCode, result.all).toBe(130);
    expect(result.stderr).toMatch(/SIGINT again: removing what is left and exiting now/);
    expect(stoppedMs).toBeLessThan(10_000);
    expect(leftovers).toEqual([]);
  });
});
