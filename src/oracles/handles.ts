import type { ProcessInfo } from '../backends/procfs.js';
import type { TrialRecord } from '../trial/record.js';
import { firstTerminating } from './terminating.js';
import type { Oracle, OracleResult } from './verdict.js';

/** Leaked handles: fds growing across survived signals, lasting zombies, processes outliving the main one, files left. */
export const handles: Oracle = (record) => [
  ...fdGrowth(record),
  ...zombies(record),
  ...orphans(record),
  ...filesLeft(record),
];

function fdGrowth(record: TrialRecord): OracleResult[] {
  const first = firstTerminating(record);
  const until = first?.deliveredMs ?? Number.POSITIVE_INFINITY;
  const survived = record.events.filter(
    (e) => e.deliveredMs !== undefined && e.deliveredMs < until && record.expect[e.signal]?.kind === 'alive',
  );
  if (survived.length === 0) return [];
  const mainFds = (s: { processes: ProcessInfo[] }) => s.processes.find((p) => p.pid === record.target.pid)?.fds ?? null;
  const before = record.samples.filter((s) => s.atMs <= survived[0]!.deliveredMs! && mainFds(s) !== null).at(-1);
  const after = record.samples.filter((s) => s.atMs > survived.at(-1)!.deliveredMs! && s.atMs < until && mainFds(s) !== null).at(-1);
  if (!before || !after) return [];
  const growth = mainFds(after)! - mainFds(before)!;
  const slack = record.oracles.handles.fd_slack;
  const evidence = { pid: record.target.pid, fdsBefore: mainFds(before), fdsAfter: mainFds(after), beforeMs: before.atMs, afterMs: after.atMs, signals: survived.length, slack };
  const signals = [...new Set(survived.map((e) => e.signal))].join('/');
  return [
    growth > slack
      ? {
          oracle: 'handles',
          verdict: 'fail',
          kind: 'fd-leak',
          message: `open fds of the main process grew from ${mainFds(before)} to ${mainFds(after)} across ${survived.length} ${signals} (slack ${slack})`,
          evidence,
        }
      : { oracle: 'handles', verdict: 'pass', message: `fds ${mainFds(before)} → ${mainFds(after)} across ${survived.length} ${signals} (slack ${slack})`, evidence },
  ];
}

/** A zombie seen in two consecutive samples is one nobody reaps (a short-lived one is normal). */
function zombies(record: TrialRecord): OracleResult[] {
  if (record.oracles.handles.allow_zombies || record.samples.length < 2) return [];
  const lasting = new Map<number, { comm: string; ppid: number; firstMs: number }>();
  let most = 0;
  for (let i = 1; i < record.samples.length; i++) {
    const previous = new Set(record.samples[i - 1]!.processes.filter((p) => p.state === 'Z').map((p) => p.pid));
    const now = record.samples[i]!.processes.filter((p) => p.state === 'Z');
    most = Math.max(most, now.length);
    for (const z of now) if (previous.has(z.pid) && !lasting.has(z.pid)) lasting.set(z.pid, { comm: z.comm, ppid: z.ppid, firstMs: record.samples[i - 1]!.atMs });
  }
  if (lasting.size === 0) return [];
  const parents = [...new Set([...lasting.values()].map((z) => z.ppid))];
  return [
    {
      oracle: 'handles',
      verdict: 'fail',
      kind: 'zombies',
      message: `${lasting.size} zombie process(es) left unreaped (up to ${most} at once) by pid ${parents.join(', ')}${parents.includes(record.target.pid) ? ' — the main process, which does not reap children it did not start' : ''}`,
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
  const left = record.files.filter((f) => f.exists);
  if (record.files.length === 0) return [];
  return [
    left.length
      ? {
          oracle: 'handles',
          verdict: 'fail',
          kind: 'files-left',
          message: `still present after exit: ${left.map((f) => f.path).join(', ')}`,
          evidence: { files: record.files },
        }
      : { oracle: 'handles', verdict: 'pass', message: `removed on exit: ${record.files.map((f) => f.path).join(', ')}` },
  ];
}
