import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { socketWatches, tableFiles, type WorkerSnapshot } from '../../src/host/socket-watch-worker.js';

// The timing thread's socket watches, driven by hand over table files of /proc's format (the thread runs the same
// function from its source, where `require` is the worker's own).
(globalThis as { require?: NodeJS.Require }).require ??= createRequire(import.meta.url);

const header = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
const line = (sl: number, local: string, remote: string, st: string, rx: string, inode: string) =>
  `  ${sl}: ${local} ${remote} ${st} 00000000:${rx} 00:00000000 00000000     0        0 ${inode} 1 0000000000000000 20 4 30 10 -1`;

/** Reads each time by path (test files are rewritten in place, where an fd kept open would see the old inode's text). */
const plainFiles = { read: (path: string) => (createRequire(import.meta.url)('node:fs') as typeof import('node:fs')).readFileSync(path, 'latin1'), close: () => {} };

describe('socket watches of the reader thread', () => {
  it('keeps the lines of the watched port, once per change, narrows to the table that holds it, and ends when it is gone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigstorm-watch-'));
    const [tcp, tcp6] = [join(dir, 'tcp'), join(dir, 'tcp6')];
    const listener = line(0, '0100007F:1F90', '00000000:0000', '0A', '00000000', '111');
    const accepted = line(1, '0100007F:1F90', '0100007F:9E2A', '01', '00000000', '222');
    const other = line(2, '0100007F:9E2A', '0100007F:1F90', '01', '00000000', '333'); // the client's side: not kept
    writeFileSync(tcp, [header, listener, accepted, other].join('\n'));
    writeFileSync(tcp6, header);
    let clock = 100;
    const posted: [number, WorkerSnapshot[]][] = [];
    const watches = socketWatches(() => clock, (id, snapshots) => posted.push([id, snapshots]), plainFiles);
    watches.add(7, { tables: [tcp, tcp6], port: '1F90', leadMs: 5, everyMs: 20, max: 10 }, false);
    expect(watches.leadOf(7)).toBeGreaterThanOrEqual(5);
    watches.before(7, 105);
    expect(watches.leadOf(7)).toBe(0);
    clock = 110;
    watches.after(7); // same lines: kept as "as before"
    expect(watches.nextDue()).toBe(130);
    clock = 130;
    writeFileSync(tcp, [header, listener, other].join('\n'));
    writeFileSync(tcp6, [header, line(0, '00000000000000000000000001000000:1F90', '00000000000000000000000000000000:0000', '0A', '00000000', '9')].join('\n'));
    watches.tick(); // reads tcp only now: tcp6 was narrowed away
    clock = 150;
    rmSync(dir, { recursive: true });
    watches.tick(); // the tables are gone (the target exited): the watch ends and posts its reads
    expect(posted).toHaveLength(1);
    const [id, snapshots] = posted[0]!;
    expect(id).toBe(7);
    expect(snapshots.map((s) => [s.atMs, s.at, s.lines?.length, s.error])).toEqual([
      [100, 'before', 2, undefined],
      [110, 'after', undefined, undefined],
      [130, 'tick', 1, undefined],
      [150, 'tick', undefined, 'ENOENT'],
    ]);
    expect(snapshots[0]!.lines![1]).toContain('0100007F:9E2A 01');
    expect(watches.nextDue()).toBe(Number.POSITIVE_INFINITY);
  });

  it('reads once as the plan comes when its shot is far off, and then starts its read before the spin twice as early as the slowest read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigstorm-watch-'));
    writeFileSync(join(dir, 'tcp'), header);
    let clock = 0;
    const fs = createRequire(import.meta.url)('node:fs') as typeof import('node:fs');
    const slowRead = fs.readFileSync;
    // A read that takes 12 ms on the watch's clock.
    fs.readFileSync = ((...args: Parameters<typeof slowRead>) => ((clock += 12), slowRead(...args))) as typeof slowRead;
    try {
      const watches = socketWatches(() => clock, () => {}, plainFiles);
      watches.add(3, { tables: [join(dir, 'tcp')], port: '1F90', leadMs: 5, everyMs: 20, max: 10 }, true);
      expect(watches.leadOf(3)).toBe(24);
    } finally {
      fs.readFileSync = slowRead;
      rmSync(dir, { recursive: true });
    }
  });

  it('posts at once what a watch read when its plan ends unshot, and skips a read that would not end before the signal', () => {
    const posted: number[] = [];
    const watches = socketWatches(() => 0, (id) => posted.push(id), tableFiles());
    watches.add(1, { tables: ['/nonexistent/tcp'], port: '1F90', leadMs: 5, everyMs: 20, max: 10 }, false);
    watches.before(1, 0); // the signal's instant is now: no read (a read of a missing table would end the watch)
    expect(posted).toEqual([]);
    watches.end(1);
    expect(posted).toEqual([1]);
  });

  it('still reads before the signal when its watch came later than the lead, if the read can end before it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigstorm-watch-'));
    writeFileSync(join(dir, 'tcp'), [header, line(0, '0100007F:1F90', '00000000:0000', '0A', '00000000', '111')].join('\n'));
    const posted: WorkerSnapshot[][] = [];
    let clock = 0;
    const watches = socketWatches(() => clock, (_id, snapshots) => posted.push(snapshots), plainFiles);
    watches.add(2, { tables: [join(dir, 'tcp')], port: '1F90', leadMs: 5, everyMs: 20, max: 1 }, false);
    clock = 2;
    watches.before(2, 4); // 2 ms ahead of the signal, under the 5 ms lead
    clock = 5;
    watches.after(2);
    rmSync(dir, { recursive: true });
    expect(posted[0]!.map((s) => [s.atMs, s.doneMs, s.at])).toEqual([
      [2, 2, 'before'],
      [5, 5, 'after'],
    ]);
  });
});
