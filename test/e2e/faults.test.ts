import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BackendName } from '../../src/backends/backend.js';
import { parseSchedule } from '../../src/schedule/parse.js';
import type { PlayedEvent } from '../../src/schedule/played.js';
import type { LedgerEntry } from '../../src/workload/ledger.js';
import { RULE_COMMENT } from '../../src/backends/docker/iptables.js';
import { run } from '../../src/session/run.js';

// Every kind of fault against real targets, on both backends.
const reportDir = mkdtempSync(join(tmpdir(), 'sigstorm-faults-'));
const backends: BackendName[] = ['docker', 'process'];
const schedule = (events: unknown[]) => parseSchedule(events, 'test');

describe.each(backends)('faults on the %s backend', (backend) => {
  it('storm: 20 SIGHUPs 5 ms apart are all sent; the fixed service survives with flat fds, the leaky one leaks one per reload', async () => {
    const storm = schedule([{ at: 100, kind: 'storm', signals: ['SIGHUP'], count: 20, spacing: 5 }, { at: 900, signal: 'SIGTERM' }]);
    const fixed = await run('scenarios/hup-leak-fixed.yml', { backend, schedule: storm, reportDir });
    const played = fixed.report.trial!.events[0]!;
    expect(played.deliveries).toHaveLength(20);
    played.deliveries!.forEach((d, i) => expect(d.atMs).toBeGreaterThanOrEqual(100 + i * 5));
    expect(fixed.report.trial!.checks).toMatchObject([{ event: 0, alive: true, ready: { ok: true } }]);
    expect(fixed.report.verdict).toBe('pass');

    const leaky = await run('scenarios/hup-leak.yml', { backend, schedule: storm, reportDir });
    const growth = leaky.report.results.find((r) => r.oracle === 'handles' && r.evidence?.kindsAfter)!;
    const evidence = growth.evidence as { beforeMs: number; afterMs: number; slack: number; leaking: string[]; kindsBefore: { file: number }; kindsAfter: { file: number } };
    // Exactly one config fd leaked per reload the target itself logged between the two samples. Not one per SIGHUP:
    // pending SIGHUPs coalesce in the kernel while a busy machine gives the target no CPU (12 reloads of 20 once in
    // CI under load; 1 of 20 once beside a soak), so the target's own count is the truth to hold the leak to.
    const reloads = leaky.report.trial!.logs.filter((l) => l.text.endsWith('zoo: reloaded') && l.atMs > evidence.beforeMs && l.atMs <= evidence.afterMs);
    expect(evidence.kindsAfter.file - evidence.kindsBefore.file).toBe(reloads.length);
    // And sigstorm calls it a leak exactly when those reloads leaked more than the scenario's slack allows.
    expect(evidence.leaking.includes('file')).toBe(reloads.length > evidence.slack);
    if (reloads.length > evidence.slack) expect(growth).toMatchObject({ verdict: 'fail', kind: 'fd-leak' });
  });

  it('race: SIGTERM and SIGINT land back to back and make the double close panic', async () => {
    const race = schedule([{ at: 600, kind: 'race', signals: ['SIGTERM', 'SIGINT'] }]);
    const { report } = await run('scenarios/double-close.yml', { backend, schedule: race, reportDir });
    const [first, second] = report.trial!.events[0]!.deliveries!;
    // Two kill() calls in one synchronous step: microseconds apart, unless a busy machine preempts sigstorm between
    // them. What the test holds is their order and that the second reached the target still draining the first (it
    // exited after both, of the panic the second caused); `npm run bench:timing` measures the gap's distribution.
    expect([first!.signal, second!.signal]).toEqual(['SIGTERM', 'SIGINT']);
    expect(second!.atMs).toBeGreaterThanOrEqual(first!.atMs);
    expect(report.trial!.exit.atMs).toBeGreaterThan(second!.atMs);
    expect(report.failures.map((f) => `${f.oracle}/${f.kind}`)).toContain('second-signal/not-ignored');
    expect(report.trial!.exit.status).toBe(2);
    const fixed = await run('scenarios/double-close-fixed.yml', { backend, schedule: race, reportDir });
    expect(fixed.report.verdict).toBe('pass');
  });

  it('pause: a frozen target stops answering and resumes where it was', async () => {
    const pause = schedule([{ at: 200, kind: 'pause', duration: 800 }, { at: 1500, signal: 'SIGTERM' }]);
    const { report } = await run('scenarios/return-on-close-fixed.yml', { backend, schedule: pause, reportDir });
    const event = report.trial!.events[0]!;
    expectHeldAsAsked(event, 800);
    // Requests sent while it was frozen got their first byte only after the thaw.
    const during = report.trial!.ledger.filter((e) => e.sentMs > event.deliveredMs! + 10 && e.sentMs < event.healedMs! - 10);
    for (const e of during) expect(e.firstByteMs!).toBeGreaterThanOrEqual(event.healedMs! - 1);
    expect(heldBack(report.trial!.ledger, event).length).toBeGreaterThan(0);
    if (backend === 'process') {
      const frozen = report.trial!.samples.filter((s) => s.atMs > event.deliveredMs! + 50 && s.atMs < event.healedMs! - 50);
      expect(frozen.length).toBeGreaterThan(0);
      for (const s of frozen) expect(s.processes[0]!.state).toBe('T');
    }
    expect(report.verdict).toBe('pass');
  });

  it("partition (drop): requests during the cut get no answer until it heals, then all complete", { timeout: 30_000 }, async () => {
    // By ~180 ms the /slow requests fill their concurrency; the /healthz sent every 50 ms after the cut is what gets
    // stuck. Applying iptables through nsenter takes 15-60 ms on docker, so the cut starts early enough for one to
    // fall inside it (ledger and events share one monotonic clock: sent after `deliveredMs` is sent during the cut).
    const cut = schedule([{ at: 180, kind: 'partition', direction: 'both', mode: 'drop', duration: 700 }, { at: 1500, signal: 'SIGTERM' }]);
    const { report } = await run('scenarios/return-on-close-fixed.yml', { backend, schedule: cut, reportDir });
    const event = report.trial!.events[0]!;
    expect(event.error).toBeUndefined();
    expectHeldAsAsked(event, 700);
    const during = report.trial!.ledger.filter((e) => e.sentMs > event.deliveredMs! && e.sentMs < event.healedMs! - 100);
    for (const e of during) expect(e.firstByteMs ?? e.endMs).toBeGreaterThanOrEqual(event.healedMs! - 1);
    expect(heldBack(report.trial!.ledger, event).length).toBeGreaterThan(0);
    expect(report.verdict).toBe('pass');
  });

  it('partition (reject): requests during the cut fail at once, and sigstorm blames the cut, not the target', async () => {
    const cut = schedule([{ at: 200, kind: 'partition', direction: 'in', mode: 'reject', duration: 500 }, { at: 1200, signal: 'SIGTERM' }]);
    const { report } = await run('scenarios/return-on-close-fixed.yml', { backend, schedule: cut, reportDir });
    const event = report.trial!.events[0]!;
    expectHeldAsAsked(event, 500);
    const during = report.trial!.ledger.filter((e) => e.sentMs > event.deliveredMs! + 10 && e.sentMs < event.healedMs! - 10);
    expect(during.length).toBeGreaterThan(0); // in-flight requests cap the rest: the workload never queues beyond its concurrency
    // Nothing sent during the cut was answered while it held, and they failed without waiting for the heal (a drop
    // would hold them until then). Which of those sent in its last ms failed before the heal, rather than at it, is
    // up to how fast a busy machine turns a reset around: the test holds the order, not a window.
    expect(during.filter((e) => e.outcome === 'ok' && (e.firstByteMs ?? e.endMs) < event.healedMs!)).toEqual([]);
    expect(during.some((e) => e.outcome !== 'ok' && e.endMs < event.healedMs!)).toBe(true);
    const lost = report.results.find((r) => r.oracle === 'lost-requests')!;
    expect(lost.verdict).toBe('pass');
    expect(lost.evidence!.failedByPartition as number).toBeGreaterThanOrEqual(during.filter((e) => e.outcome !== 'ok').length);
  });
});

/**
 * Requests the fault held back: sent once it may have begun (its scheduled instant) and well before the heal, they
 * got nothing until the heal. Not only those sent after `deliveredMs`: the /healthz slots (concurrency 2) may both
 * fill with requests sent while the engine was still applying the fault, and then nothing more is sent until it heals.
 */
const heldBack = (ledger: LedgerEntry[], event: PlayedEvent) =>
  ledger.filter((e) => e.sentMs >= event.scheduledMs && e.sentMs < event.healedMs! - 100 && (e.firstByteMs ?? e.endMs) >= event.healedMs! - 1);

/**
 * The record's own spans, not wall-clock guesses: the fault took effect at or after its instant, and held at least
 * the duration asked from then (`heldMs`, from `deliveredMs` to `healedMs`), however long the engine took to apply it.
 */
function expectHeldAsAsked(event: PlayedEvent, askedMs: number): void {
  expect(event.error).toBeUndefined();
  expect(event.deliveredMs!).toBeGreaterThanOrEqual(event.scheduledMs);
  expect(event.heldMs).toBe(event.healedMs! - event.deliveredMs!);
  expect(event.heldMs!).toBeGreaterThanOrEqual(askedMs);
}

describe('after partitions', () => {
  it('leaves no sigstorm iptables rule on the host', () => {
    const rules = execFileSync('iptables', ['-w', '-S'], { encoding: 'utf8' });
    expect(rules).not.toContain(RULE_COMMENT);
  });
});
