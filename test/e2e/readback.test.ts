import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/session/run.js';

// Acknowledged writes read back by the user's own reader, in a record format of the user's own: the graceful Go
// service keeps every acknowledged write, the exit-no-flush one loses those still buffered.
const reportDir = mkdtempSync(join(tmpdir(), 'sigstorm-readback-'));

describe('read-back through a command and a pattern', () => {
  it('finds every acknowledged write of the graceful service, and misses those exit-no-flush dropped', { timeout: 60_000 }, async () => {
    const good = await run('test/fixtures/readback/graceful.yml', { backend: 'process', reportDir });
    const acked = good.report.trial!.ledger.filter((e) => e.kind === 'write' && e.outcome === 'ok').length;
    expect(acked).toBeGreaterThan(0);
    expect(good.report.trial!.readback).toMatchObject({ file: expect.stringMatching(/^sed /) });
    expect(good.report.trial!.readback!.ids.length).toBeGreaterThanOrEqual(acked);
    expect(good.report.verdict).toBe('pass');

    const bad = await run('test/fixtures/readback/exit-no-flush.yml', { backend: 'process', reportDir });
    expect(bad.report.failures.map((f) => `${f.oracle}/${f.kind}`)).toContain('acked-writes/acked-lost');
  });
});
