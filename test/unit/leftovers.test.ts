import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJournal } from '../../src/leftovers/journal.js';
import { matchesFile } from '../../src/trial/files.js';

describe('leftovers journal', () => {
  const lines = [
    { op: 'open', pid: 2 ** 22 + 5, startTime: 1, argv: ['fuzz', 'x.yml'], at: '' },
    { op: 'intent', ref: 1, resource: { kind: 'data-dir', path: '/tmp/a' }, at: '' },
    { op: 'intent', ref: 2, resource: { kind: 'container', run: 'r-1' }, at: '' },
    { op: 'created', ref: 2, id: 'abc', at: '' },
    { op: 'phase', phase: 'shrinking', at: '' },
    { op: 'released', ref: 1, at: '' },
    { op: 'intent', ref: 3, resource: { kind: 'process', token: 'r-2' }, at: '' },
  ].map((r) => JSON.stringify(r));

  it('keeps what was announced and never released, with what was learnt after creation', () => {
    const j = parseJournal('/x', lines.join('\n'));
    expect(j.alive).toBe(false); // above pid_max: no such process
    expect(j.phase).toBe('shrinking');
    expect(j.outstanding).toEqual([
      { ref: 2, resource: { kind: 'container', run: 'r-1' }, id: 'abc' },
      { ref: 3, resource: { kind: 'process', token: 'r-2' } },
    ]);
  });

  it('reads a journal cut short by a SIGKILL in the middle of a line', () => {
    const cut = `${lines.join('\n')}\n{"op":"released","ref":2,"a`;
    expect(parseJournal('/x', cut).outstanding.map((o) => o.ref)).toEqual([2, 3]);
  });
});

describe('file patterns of kept_on_exit / removed_on_exit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sigstorm-files-'));
  mkdirSync(join(dir, 'reports/a/run-1'), { recursive: true });
  writeFileSync(join(dir, 'reports/a/run-1/report.json'), '{}');

  it('matches * within one path segment only', () => {
    expect(matchesFile(dir, 'reports/*/*/report.json')).toBe(true);
    expect(matchesFile(dir, 'reports/*/report.json')).toBe(false);
    expect(matchesFile(dir, 'reports/a/run-*/report.json')).toBe(true);
    expect(matchesFile(dir, 'reports/a/run-1/*.yml')).toBe(false);
    expect(matchesFile(dir, 'reports/a')).toBe(true);
    expect(matchesFile(dir, 'missing')).toBe(false);
  });

  it('treats regex characters in names literally', () => {
    writeFileSync(join(dir, 'a.b+c'), '');
    expect(matchesFile(dir, 'a.b+c')).toBe(true);
    expect(matchesFile(dir, 'a?b+c')).toBe(false);
    expect(matchesFile(dir, 'a.*')).toBe(true);
  });
});
