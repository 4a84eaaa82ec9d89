import type { TrialRecord } from '../trial/record.js';
import { fdGrowth } from './fd-growth.js';
import { firstTerminating } from './terminating.js';
import type { Oracle, OracleResult } from './verdict.js';

/** Leaked handles: fds growing across survived signals, lasting zombies, processes outliving the main one, files left. */
export const handles: Oracle = (record) => [
  ...fdGrowth(record),
  ...zombies(record),
  ...orphans(record),
  ...filesLeft(record),
];

/** A parent that reaps at once leaves a zombie for microseconds: one still there 100 ms later is suspect. */
const ZOMBIE_LASTING_MS = 100;
/** Longer than a supervisor's periodic reap loop (apache2's parent reaps once a second). */
const ZOMBIE_REAP_LOOP_MS = 1500;

/**
 * Zombies whose parent belongs to the target (the main process itself, a child of sigstorm, is not counted) that
 * it never reaps while it lives: any lasting beyond a reap loop; and, in trials too short for that, those lasting
 * 100 ms that appeared before the first terminating signal under a parent never seen reaping a lasting one. A slow
 * reaper's children exiting during its shutdown (apache2 after its last download) are not blamed.
 */
function zombies(record: TrialRecord): OracleResult[] {
  if (record.oracles.handles.allow_zombies) return [];
  type Zombie = { pid: number; comm: string; ppid: number; firstMs: number; lastMs: number; reaped?: true };
  const open = new Map<number, Zombie>();
  const ended: Zombie[] = [];
  const reapers = new Set<number>();
  let most = 0;
  const aliveIn = (i: number) => new Set((record.samples[i]?.processes ?? []).filter((p) => p.state !== 'Z').map((p) => p.pid));
  for (const [i, sample] of record.samples.entries()) {
    // alive now and at the next sample: a parent on its way out (a PID 1 whose namespace is being torn down)
    // loses its zombies without reaping them
    const current = aliveIn(i);
    const next = i + 1 < record.samples.length ? aliveIn(i + 1) : current;
    const alive = new Set([...current].filter((pid) => next.has(pid)));
    const members = new Set(sample.processes.map((p) => p.pid));
    const now = sample.processes.filter((p) => p.state === 'Z' && p.pid !== record.target.pid && members.has(p.ppid));
    most = Math.max(most, now.length);
    for (const [pid, z] of open) {
      if (now.some((n) => n.pid === pid)) continue;
      open.delete(pid);
      if (alive.has(z.ppid)) z.reaped = true;
      ended.push(z);
      // a suspect zombie gone while its parent lives on: the parent reaps, if slowly (a zombie reaped at once
      // proves less: a Go service waits for the children it started, never for the orphans it inherits)
      if (z.reaped && z.lastMs - z.firstMs >= ZOMBIE_LASTING_MS) reapers.add(z.ppid);
    }
    for (const z of now) {
      const known = open.get(z.pid);
      if (known) known.lastMs = sample.atMs;
      else open.set(z.pid, { pid: z.pid, comm: z.comm, ppid: z.ppid, firstMs: sample.atMs, lastMs: sample.atMs });
    }
  }
  const lastedMs = (z: Zombie) => z.lastMs - z.firstMs;
  const suspect = [...ended, ...open.values()].filter((z) => lastedMs(z) >= ZOMBIE_LASTING_MS);
  const stopAt = firstTerminating(record)?.deliveredMs ?? Number.POSITIVE_INFINITY;
  // left while the service ran normally by a parent never seen reaping: the PID 1 that never reaps orphans
  const whileRunning = (z: Zombie) => !reapers.has(z.ppid) && z.firstMs < stopAt;
  // reaped in the end, however late, is no leak (start_server under a SIGHUP storm takes ~2 s)
  const lasting = suspect.filter((z) => !z.reaped && (lastedMs(z) >= ZOMBIE_REAP_LOOP_MS || whileRunning(z)));
  if (lasting.length === 0) return [];
  const parents = [...new Set(lasting.map((z) => z.ppid))];
  const longest = Math.max(...lasting.map(lastedMs));
  return [
    {
      oracle: 'handles',
      verdict: 'fail',
      kind: 'zombies',
      message: `${lasting.length} zombie process(es) left unreaped (up to ${most} at once, the longest for ${Math.round(longest)} ms or more) by pid ${parents.join(', ')}${parents.includes(record.target.pid) && !reapers.has(record.target.pid) ? ' — the main process, which does not reap children it did not start' : ''}`,
      evidence: { zombies: lasting.slice(0, 20), maxAtOnce: most, parents, reapers: [...reapers] },
    },
  ];
}

function orphans(record: TrialRecord): OracleResult[] {
  const { exit } = record;
  if (exit.lingering.length === 0 || exit.killedAtMs === undefined || exit.atMs >= exit.killedAtMs) return [];
  const left = exit.lingering.filter((p) => p.pid !== record.target.pid);
  if (left.length === 0) return [];
  return [
    {
      oracle: 'handles',
      verdict: 'fail',
      kind: 'orphans',
      message: `the main process exited at +${Math.round(exit.atMs)} ms but left ${left.map((p) => `${p.comm} (pid ${p.pid})`).join(', ')} running`,
      evidence: { exitMs: exit.atMs, left: left.map((p) => ({ pid: p.pid, ppid: p.ppid, comm: p.comm, state: p.state })) },
    },
  ];
}

function filesLeft(record: TrialRecord): OracleResult[] {
  if (record.files.length === 0) return [];
  const left = record.files.filter((f) => (f.must ?? 'removed') === 'removed' && f.exists);
  // A service stopped during its start-up never got to make what it must keep: only what it must remove is demanded.
  const lost = record.exitedInStartup ? [] : record.files.filter((f) => f.must === 'kept' && !f.exists);
  const results: OracleResult[] = [];
  if (left.length) results.push({ oracle: 'handles', verdict: 'fail', kind: 'files-left', message: `still present after exit: ${left.map((f) => f.path).join(', ')}`, evidence: { files: record.files } });
  if (lost.length) results.push({ oracle: 'handles', verdict: 'fail', kind: 'files-lost', message: `missing after exit: ${lost.map((f) => f.path).join(', ')}`, evidence: { files: record.files } });
  if (results.length === 0) results.push({ oracle: 'handles', verdict: 'pass', message: `files as expected after exit: ${record.files.map((f) => `${f.path} ${f.exists ? 'present' : 'gone'}`).join(', ')}` });
  return results;
}
