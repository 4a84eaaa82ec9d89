import type { TrialRecord } from '../trial/record.js';
import { fdGrowth } from './fd-growth.js';
import type { Oracle, OracleResult } from './verdict.js';

/** Leaked handles: fds growing across survived signals, lasting zombies, processes outliving the main one, files left. */
export const handles: Oracle = (record) => [
  ...fdGrowth(record),
  ...zombies(record),
  ...orphans(record),
  ...filesLeft(record),
];

/** Reaping takes microseconds: a zombie of the target still there 100 ms later is one nobody reaps. */
const ZOMBIE_LASTING_MS = 100;

/** Zombies whose parent belongs to the target (the main process itself, a child of sigstorm, is not counted). */
function zombies(record: TrialRecord): OracleResult[] {
  if (record.oracles.handles.allow_zombies) return [];
  const seenSince = new Map<number, number>();
  const lasting = new Map<number, { comm: string; ppid: number; firstMs: number }>();
  let most = 0;
  for (const sample of record.samples) {
    const members = new Set(sample.processes.map((p) => p.pid));
    const now = sample.processes.filter((p) => p.state === 'Z' && p.pid !== record.target.pid && members.has(p.ppid));
    most = Math.max(most, now.length);
    for (const pid of [...seenSince.keys()]) if (!now.some((z) => z.pid === pid)) seenSince.delete(pid);
    for (const z of now) {
      const since = seenSince.get(z.pid) ?? sample.atMs;
      seenSince.set(z.pid, since);
      if (sample.atMs - since >= ZOMBIE_LASTING_MS && !lasting.has(z.pid)) lasting.set(z.pid, { comm: z.comm, ppid: z.ppid, firstMs: since });
    }
  }
  if (lasting.size === 0) return [];
  const parents = [...new Set([...lasting.values()].map((z) => z.ppid))];
  return [
    {
      oracle: 'handles',
      verdict: 'fail',
      kind: 'zombies',
      message: `${lasting.size} zombie process(es) left unreaped for ${ZOMBIE_LASTING_MS} ms or more (up to ${most} at once) by pid ${parents.join(', ')}${parents.includes(record.target.pid) ? ' — the main process, which does not reap children it did not start' : ''}`,
      evidence: { zombies: [...lasting.entries()].slice(0, 20).map(([pid, z]) => ({ pid, ...z })), maxAtOnce: most, parents },
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
  const lost = record.files.filter((f) => f.must === 'kept' && !f.exists);
  const results: OracleResult[] = [];
  if (left.length) results.push({ oracle: 'handles', verdict: 'fail', kind: 'files-left', message: `still present after exit: ${left.map((f) => f.path).join(', ')}`, evidence: { files: record.files } });
  if (lost.length) results.push({ oracle: 'handles', verdict: 'fail', kind: 'files-lost', message: `missing after exit: ${lost.map((f) => f.path).join(', ')}`, evidence: { files: record.files } });
  if (results.length === 0) results.push({ oracle: 'handles', verdict: 'pass', message: `files as expected after exit: ${record.files.map((f) => `${f.path} ${f.exists ? 'present' : 'gone'}`).join(', ')}` });
  return results;
}
