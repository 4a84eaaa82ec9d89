import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sigstorm } from '../helpers/cli.js';
import { containersWithLabel } from '../helpers/docker.js';
import { tempFiles } from '../helpers/files.js';
import { collectJournal, leftoversOf, newDir, reachedPhase, runIdsIn } from '../helpers/leftovers.js';

/** A process target that moves a child into a session of its own: only the environment token still finds it. */
const escaping = `target:
  process:
    command: [sh, -c, "setsid sleep 120 & echo up; exec sleep 120"]
  ready: { log: up, timeout: 5s }
schedule:
  - { at: 30000, signal: SIGTERM }
`;

const partition = '[{"at":100,"kind":"partition","direction":"both","mode":"drop","duration":"60s"}]';

/** Runs sigstorm until `phase`, SIGKILLs it, and returns what it left. */
async function killAt(args: string[], phase: string, stateDir: string) {
  const child = sigstorm([...args, '--report-dir', newDir('reports')], { env: { SIGSTORM_STATE_DIR: stateDir } });
  const journal = collectJournal(stateDir, child.pid!);
  await reachedPhase(stateDir, child.pid!, phase);
  await new Promise((r) => setTimeout(r, 200));
  child.kill('SIGKILL');
  await child;
  const records = journal.stop();
  return { pid: child.pid!, runIds: runIdsIn(records) };
}

describe('a SIGKILLed sigstorm', () => {
  it('leaves what `sigstorm gc` finds and removes: containers, iptables rules, processes in other sessions, data dirs', async () => {
    const stateDir = newDir('state');
    const escapingScenario = join(tempFiles({ 'escaping.yml': escaping }), 'escaping.yml');
    const killed = [
      await killAt(['run', 'scenarios/return-on-close-fixed.yml', '--backend', 'docker', '--events', partition], 'fault', stateDir),
      await killAt(['run', 'scenarios/orphan-helper.yml', '--backend', 'process'], 'ready', stateDir),
      await killAt(['run', escapingScenario, '--backend', 'process'], 'ready', stateDir),
    ];
    // Without gc every one of them left something: the check below can fail.
    for (const k of killed) expect(leftoversOf(k.pid, k.runIds).length, `run ${k.runIds}`).toBeGreaterThan(0);
    // The partitioned container still holds its cut, in its own network namespace.
    const [container] = containersWithLabel(`sigstorm.pid=${killed[0]!.pid}`);
    const hostPid = execFileSync('docker', ['inspect', '-f', '{{.State.Pid}}', container!], { encoding: 'utf8' }).trim();
    expect(execFileSync('nsenter', ['-t', hostPid, '-n', 'iptables', '-w', '-S'], { encoding: 'utf8' })).toContain('sigstorm-partition');

    // The next campaign says so.
    const next = await sigstorm(['run', 'scenarios/shell-form-fixed.yml', '--backend', 'process', '--report-dir', newDir('reports')], {
      env: { SIGSTORM_STATE_DIR: stateDir },
    });
    expect(next.exitCode, next.all).toBe(0);
    expect(next.stderr).toMatch(/warning: \d+ leftover\(s\) from 3 sigstorm run\(s\) that died .*Run `sigstorm gc`/);

    const gc = await sigstorm(['gc'], { env: { SIGSTORM_STATE_DIR: stateDir } });
    expect(gc.exitCode, gc.all).toBe(0);
    expect(gc.stdout).toMatch(/removed container /);
    expect(gc.stdout).toMatch(/removed process \d+ \(sleep\)/);
    expect(gc.stdout).toMatch(/removed directory /);
    for (const k of killed) expect(leftoversOf(k.pid, k.runIds), `run ${k.runIds}`).toEqual([]);
    const runs = join(stateDir, 'runs');
    expect(existsSync(runs) ? readdirSync(runs) : []).toEqual([]);

    const again = await sigstorm(['gc'], { env: { SIGSTORM_STATE_DIR: stateDir } });
    expect(again.stdout).toMatch(/^0 leftover\(s\) removed/m);
  });
});
