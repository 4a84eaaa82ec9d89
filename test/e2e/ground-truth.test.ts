import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/session/run.js';

// Debian's nginx as ground truth, per its documentation: TERM is a fast shutdown, QUIT a graceful one.
// A 1 MiB download at 256 KiB/s is in flight when the signal lands 500 ms in.
const reportDir = mkdtempSync(join(tmpdir(), 'sigstorm-nginx-'));
const MiB = 1024 * 1024;

describe('ground truth: nginx', () => {
  it('SIGTERM (fast shutdown) cuts the download in flight, and sigstorm reports exactly that', async () => {
    const { report } = await run('scenarios/nginx-term.yml', { backend: 'process', reportDir });
    expect(report.trial!.exit).toMatchObject({ status: 0, forcedKill: false });
    expect(report.failures.map((f) => `${f.oracle}/${f.kind}`)).toEqual(['lost-requests/truncated']);
    const [download] = report.trial!.ledger;
    expect(download).toMatchObject({ path: '/big', outcome: 'truncated', expectedBytes: MiB });
    expect(download!.sentMs).toBeLessThan(report.trial!.events[0]!.deliveredMs!);
    expect(download!.bytes).toBeGreaterThan(0);
    expect(download!.bytes).toBeLessThan(MiB);
  });

  it('SIGQUIT (graceful shutdown) lets the download finish, and sigstorm passes it', async () => {
    const { report } = await run('scenarios/nginx-quit.yml', { backend: 'process', reportDir });
    expect(report.failures).toEqual([]);
    expect(report.verdict).toBe('pass');
    const [download] = report.trial!.ledger;
    expect(download).toMatchObject({ path: '/big', outcome: 'ok', bytes: MiB, expectedBytes: MiB });
    // nginx exited only after the transfer was over: every byte came, after the signal (above: ok, all of 1 MiB).
    // Not `exit ≥ the client's end`: nginx is done once the last bytes are in the kernel's buffer, and a busy client
    // may read them after the exit.
    expect(download!.endMs).toBeGreaterThan(report.trial!.events[0]!.deliveredMs!);
  });
});
