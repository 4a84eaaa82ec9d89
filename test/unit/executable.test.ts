import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { executableFacts, readExecutable } from '../../src/host/executable.js';
import { readStat } from '../../src/host/procfs.js';

// Real files on this machine: node (C++), the Go toolchain's own binary (built by Go), and a script.
const goBinary = (() => {
  try {
    return realpathSync(execFileSync('sh', ['-c', 'command -v go'], { encoding: 'utf8' }).trim());
  } catch {
    return undefined;
  }
})();

describe('what a process runs', () => {
  it('reads this process: its executable, an ELF file without Go build info', () => {
    const exe = readExecutable(readStat(process.pid)!);
    expect(exe).toMatchObject({ pid: process.pid, path: realpathSync(process.execPath), elf: true });
    expect(exe!.go).toBeUndefined();
  });

  it.skipIf(!goBinary)('finds the Go version in a Go binary\'s build info', () => {
    const version = execFileSync(goBinary!, ['env', 'GOVERSION'], { encoding: 'utf8' }).trim();
    expect(executableFacts(goBinary!)).toEqual({ elf: true, go: version });
  });

  it('says nothing of a script, a missing file or a process that is gone', () => {
    expect(executableFacts('test/unit/executable.test.ts')).toEqual({});
    expect(executableFacts('/nonexistent/server')).toEqual({});
    expect(readExecutable({ pid: 2 ** 22 + 1, startTime: 0, comm: 'gone' })).toBeUndefined();
  });
});
