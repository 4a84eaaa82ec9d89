import { FD_KINDS, fdKind, type FdKind } from '../host/fd-kind.js';
import type { ProcessInfo } from '../host/process-info.js';
import { sampleDoneMs, type ProcessSample, type TrialRecord } from '../trial/record.js';
import { openAt } from '../workload/ledger.js';
import { firstTerminating, signalDeliveries } from './terminating.js';
import type { OracleResult } from './verdict.js';

/** Samples on each side of the storm that are compared: a leak lasts, a reload's passing fd or a connection in transit does not. */
const WINDOW = 3;
/** A storm this long with at least one fd (of one kind) per two signals is a leak however large the slack. */
const STEADY_SIGNALS = 5;
const STEADY_PER_SIGNAL = 0.5;
const LISTED = 5;

interface Side {
  /** fds per kind of the main process; for sockets, net of the workload's connections open at the sample. */
  net: Record<FdKind, number>;
  sockets: number;
  clients: number;
  fds: number;
}

/**
 * fds of the main process growing across the signals it survived (SIGHUP reloads), judged kind by kind: sockets
 * net of the workload's own connections open at each sample, every other kind as counted. A kind leaks when it
 * grew beyond `fd_slack`, or steadily with the signals across a storm. Records without kinds: total count vs slack.
 */
export function fdGrowth(record: TrialRecord): OracleResult[] {
  const until = firstTerminating(record)?.deliveredMs ?? Number.POSITIVE_INFINITY;
  const survived = signalDeliveries(record).filter((d) => d.deliveredMs < until && record.expect[d.signal]?.kind === 'alive');
  if (survived.length === 0) return [];
  const pid = record.target.pid;
  const main = (s: ProcessSample) => s.processes.find((p) => p.pid === pid);
  const measured = record.samples.filter((s) => (main(s)?.fds ?? null) !== null);
  // Each side's samples were read wholly on that side: one begun before the stop signal but read after it shows the shutdown.
  const before = measured.filter((s) => sampleDoneMs(s) <= survived[0]!.deliveredMs).slice(-WINDOW);
  const after = measured.filter((s) => s.atMs > survived.at(-1)!.deliveredMs && sampleDoneMs(s) < until).slice(-WINDOW);
  if (before.length === 0 || after.length === 0) return [];
  const signals = [...new Set(survived.map((e) => e.signal))].join('/');
  const slack = record.oracles.handles.fd_slack;
  const k = survived.length;
  const across = `across ${k} ${signals} (slack ${slack})`;
  if (![...before, ...after].every((s) => main(s)!.fdKinds)) return totalGrowth(record, main(before.at(-1)!)!, main(after.at(-1)!)!, before.at(-1)!, after.at(-1)!, across, k);

  const connections = record.connections ?? [];
  const side = (s: ProcessSample): Side => {
    const p = main(s)!;
    const clients = openAt(connections, s.atMs);
    return { net: { ...p.fdKinds!, socket: p.fdKinds!.socket - clients }, sockets: p.fdKinds!.socket, clients, fds: p.fds! };
  };
  const b = before.map(side);
  const a = after.map(side);
  // Most before, least after: what a passing transient or a connection in transit adds is not counted as growth.
  const growth = Object.fromEntries(FD_KINDS.map((kind) => [kind, Math.min(...a.map((x) => x.net[kind])) - Math.max(...b.map((x) => x.net[kind]))])) as Record<FdKind, number>;
  const steady = (g: number) => k >= STEADY_SIGNALS && g >= k * STEADY_PER_SIGNAL;
  const leaking = FD_KINDS.filter((kind) => growth[kind] > slack || steady(growth[kind]));
  const last = { before: b.at(-1)!, after: a.at(-1)! };
  const appeared = appearedTargets(record.samples, pid, before.at(-1)!, after.at(-1)!);
  const evidence = {
    pid,
    beforeMs: before.at(-1)!.atMs,
    afterMs: after.at(-1)!.atMs,
    signals: k,
    slack,
    fdsBefore: last.before.fds,
    fdsAfter: last.after.fds,
    kindsBefore: main(before.at(-1)!)!.fdKinds,
    kindsAfter: main(after.at(-1)!)!.fdKinds,
    clientConnectionsBefore: last.before.clients,
    clientConnectionsAfter: last.after.clients,
    growth,
    perSignal: Object.fromEntries(FD_KINDS.map((kind) => [kind, round(growth[kind] / k)])),
    leaking,
    appeared: appeared.slice(0, 40),
  };
  const describe = (kind: FdKind) =>
    kind === 'socket'
      ? `sockets +${growth.socket} net of the workload's connections (${last.before.sockets} → ${last.after.sockets} sockets, ${last.before.clients} → ${last.after.clients} client connections, ${round(growth.socket / k)} per signal)`
      : `${kind} fds +${growth[kind]} (${last.before.net[kind]} → ${last.after.net[kind]}, ${round(growth[kind] / k)} per signal)`;
  if (leaking.length === 0) {
    return [{ oracle: 'handles', verdict: 'pass', message: `fds by kind steady ${across}: ${FD_KINDS.map((kind) => `${kind} ${growth[kind] >= 0 ? '+' : ''}${growth[kind]}`).join(', ')}${connections.length ? ' (sockets net of client connections)' : ''}`, evidence }];
  }
  const shown = appeared.filter((t) => leaking.includes(t.kind));
  return [
    {
      oracle: 'handles',
      verdict: 'fail',
      kind: 'fd-leak',
      message: `the main process leaked ${leaking.map(describe).join('; ')} ${across}${shown.length ? `; appeared: ${listTargets(shown)}` : ''}`,
      evidence,
    },
  ];
}

/** The old rule, for records written before fds were sampled by kind. */
function totalGrowth(record: TrialRecord, before: ProcessInfo, after: ProcessInfo, bs: ProcessSample, as: ProcessSample, across: string, k: number): OracleResult[] {
  const slack = record.oracles.handles.fd_slack;
  const growth = after.fds! - before.fds!;
  const evidence = { pid: record.target.pid, fdsBefore: before.fds, fdsAfter: after.fds, beforeMs: bs.atMs, afterMs: as.atMs, signals: k, slack };
  return [
    growth > slack
      ? { oracle: 'handles', verdict: 'fail', kind: 'fd-leak', message: `open fds of the main process grew from ${before.fds} to ${after.fds} ${across}`, evidence }
      : { oracle: 'handles', verdict: 'pass', message: `fds ${before.fds} → ${after.fds} ${across}`, evidence },
  ];
}

interface Appeared {
  target: string;
  kind: FdKind;
  count: number;
}

/** fd targets of the main process at `after` that were not there (as often) at `before`; samples keep them only where they changed. */
function appearedTargets(samples: ProcessSample[], pid: number, before: ProcessSample, after: ProcessSample): Appeared[] {
  const targetsAt = (at: ProcessSample) => {
    const upTo = samples.slice(0, samples.indexOf(at) + 1);
    return upTo.map((s) => s.processes.find((p) => p.pid === pid)?.fdTargets).filter((t) => t !== undefined).at(-1);
  };
  const was = targetsAt(before) ?? {};
  const now = targetsAt(after);
  if (!now) return [];
  return Object.entries(now)
    .map(([target, n]) => ({ target, kind: fdKind(target), count: n - (was[target] ?? 0) }))
    .filter((t) => t.count > 0);
}

/** `/tmp/x/config ×12`, `socket:[…] ×5`: paths by name, sockets and pipes (new inodes each time) by how many. */
function listTargets(appeared: Appeared[]): string {
  const named = appeared.filter((t) => t.kind !== 'socket' && t.kind !== 'pipe').sort((x, y) => y.count - x.count);
  const counted = (['socket', 'pipe'] as const).map((kind) => [kind, appeared.filter((t) => t.kind === kind).reduce((n, t) => n + t.count, 0)] as const).filter(([, n]) => n > 0);
  const items = [...named.slice(0, LISTED).map((t) => `${t.target} ×${t.count}`), ...counted.map(([kind, n]) => `${kind}:[…] ×${n}`)];
  return items.join(', ') + (named.length > LISTED ? `, … ${named.length - LISTED} more` : '');
}

const round = (x: number) => Math.round(x * 100) / 100;
