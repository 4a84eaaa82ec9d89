import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processBackend } from '../../src/backends/process/backend.js';
import { allProcesses, isAlive, lastPid, readStat } from '../../src/host/procfs.js';
import { MemberWatch } from '../../src/backends/process/members.js';
import { holdsToken, OWNER_ENV, readOwnerTokens } from '../../src/leftovers/owned.js';
import { loadScenario } from '../../src/scenario/load.js';
import { sleep } from '../../src/time.js';
import { tempFiles } from '../helpers/files.js';

// The process backend finds a target's processes without reading all of /proc each time: it must still see what a
// full scan sees — its session, and a process that left the session but carries the token — and nothing else.
describe("the process backend's view of a target's processes", () => {
  it('holds its session and what left it with the token, not a process started beside it; all gone after disposal', async () => {
    const body = `target:\n  process:\n    command: [sh, -c, "setsid sleep 31 & sleep 32 & wait"]\n  ready: { log: never }\n`;
    const scenario = await loadScenario(join(tempFiles({ 'members.yml': body }), 'members.yml'));
    const runId = `members-${process.pid}`;
    const target = await processBackend.start(scenario.target, { runId, scenario: 'members', labels: {}, dataDir: mkdtempSync(join(tmpdir(), 'sigstorm-members-')), partitions: false });
    const beside = spawn('sleep', ['33'], { stdio: 'ignore' });
    try {
      // Until both children have exec'ed sleep (a fork shows as sh at first).
      const comms = () => target.processes().map((p) => p.comm).sort().join(' ');
      for (let i = 0; i < 100 && comms() !== 'sh sleep sleep'; i++) await sleep(20);
      const seen = target.processes();
      const full = allProcesses().filter((p) => p.sid === target.pid || holdsToken(p, runId, 0));
      expect(seen.map((p) => p.pid).sort()).toEqual(full.map((p) => p.pid).sort());
      expect(seen.map((p) => p.comm).sort()).toEqual(['sh', 'sleep', 'sleep']);
      const left = seen.filter((p) => p.sid !== target.pid);
      expect(left).toHaveLength(1); // the setsid one, found by its token
      expect(seen[0]!.pid).toBe(target.pid);
      expect(seen.map((p) => p.pid)).not.toContain(beside.pid);
      await target[Symbol.asyncDispose]();
      expect(seen.filter((p) => isAlive(p.pid))).toEqual([]);
    } finally {
      beside.kill('SIGKILL');
      await target[Symbol.asyncDispose](); // again, or for the first time after a failure: it is idempotent
    }
  });

  it('sees a process started after a pass; a pass made while no pid was handed out (its listing used again) still sees it', async () => {
    const token = `members-again-${process.pid}`;
    const watch = new MemberWatch(token);
    expect(watch.members(-1, 0)).toEqual([]);
    const child = spawn('sleep', ['30'], { stdio: 'ignore', env: { [OWNER_ENV]: token } });
    try {
      for (let i = 0; i < 200 && readStat(child.pid!)?.comm !== 'sleep'; i++) await sleep(10);
      const since = readStat(child.pid!)!.startTime;
      for (let pass = 0; pass < 3; pass++) expect(watch.members(-1, since).map((p) => p.pid)).toEqual([child.pid]);
      expect(lastPid()).toBeGreaterThan(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('asks again about a process whose environment cannot be read yet, and counts it once it holds the token', async () => {
    const token = `members-env-${process.pid}`;
    const watch = new MemberWatch(token);
    // A process that runs with an empty environment (which reads as a process mid-exec reads: not known yet, rather
    // than "not the target's") and 200 ms later execs a program that carries the token. The watch first looks once it
    // runs sh: before its exec the forked child holds this process's environment, a case no target meets (what a
    // target starts inherits the token from the start). The shell execs sleep itself: through `env X=… sleep` there
    // was a third stage, env holding the shell's exported PWD and no token, which a loaded pass could catch.
    const late = spawn('/bin/sh', ['-c', `sleep 0.2; export ${OWNER_ENV}=${token}; exec /bin/sleep 30`], { stdio: 'ignore', env: {} });
    const bare = spawn('sleep', ['30'], { stdio: 'ignore', env: {} });
    try {
      const comm = (pid: number) => readStat(pid)?.comm;
      for (let i = 0; i < 200 && (comm(late.pid!) !== 'sh' || comm(bare.pid!) !== 'sleep'); i++) await sleep(10);
      expect(readOwnerTokens(bare.pid!)).toBeUndefined();
      expect(readOwnerTokens(2 ** 22 + 1)).toBeUndefined(); // no such process
      const since = readStat(late.pid!)!.startTime;
      let counted = false;
      // up to 10 s: the watch asks again for 5 s of its own clock, and an exec on a busy machine took more than 2 s
      for (let pass = 0; pass < 100 && !counted; pass++) {
        const pids = watch.members(-1, since).map((p) => p.pid);
        expect(pids).not.toContain(bare.pid); // never the target's
        counted = pids.includes(late.pid!);
        if (!counted) await sleep(100);
      }
      expect(counted, "the process that exec'ed with the token, after passes that could not tell").toBe(true);
      expect(readOwnerTokens(late.pid!)).toEqual([token]);
    } finally {
      bare.kill('SIGKILL');
      late.kill('SIGKILL');
    }
  });
});
