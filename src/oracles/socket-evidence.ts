import { isClosedByTarget, isQueued, type SocketConn } from '../host/tcp-table.js';
import type { TrialRecord } from '../trial/record.js';
import type { LedgerEntry } from '../workload/ledger.js';

/**
 * What the target's own socket table says of a request closed unanswered: it had taken it up (accepted its fresh
 * connection, read its bytes, or closed the connection itself), or it never did (still in the listen queue, or its
 * bytes unread on a kept-alive connection), or there is no evidence, and why: then also the earliest it can have
 * closed (`closedMs`).
 */
export type Uptake =
  | { taken: true; how: 'read' | 'accepted' | 'closed by the target'; atMs: number }
  | { taken: false; how: 'in the listen queue' | 'unread on a kept-alive connection'; atMs: number }
  | { taken: undefined; why: string; closedMs: number };

/** A connection's last state seen counts only when read this close before the earliest it can have closed. */
export const STALE_MS = 50;

interface Read {
  atMs: number;
  /** When the read ended (its start, in records that lack it). */
  doneMs: number;
  conns: Map<number, SocketConn>;
}

/** The record's socket reads, each complete (the record keeps a read's connections only where they changed). */
export interface SocketView {
  reads: Read[];
  /** When each local port was connected, by port: a later connection on a port ends what a read says of the one before. */
  connects: Map<number, number[]>;
  /** Why there is no evidence at all in this record (undefined: there may be, per request). */
  none?: string;
}

export function socketView(record: Pick<TrialRecord, 'sockets' | 'ledger'>): SocketView {
  const { sockets } = record;
  const connects = new Map<number, number[]>();
  for (const e of record.ledger) if (e.localPort !== undefined && e.connectedMs !== undefined) connects.set(e.localPort, [...(connects.get(e.localPort) ?? []), e.connectedMs]);
  if (!sockets) return { reads: [], connects, none: "the target's sockets were not watched (no terminating signal sent by host pid)" };
  const reads: Read[] = [];
  let conns: SocketConn[] = [];
  for (const s of sockets.snapshots) {
    if (s.error !== undefined) continue;
    if (s.conns) conns = s.conns;
    reads.push({ atMs: s.atMs, doneMs: s.doneMs ?? s.atMs, conns: new Map(conns.map((c) => [c.port, c])) });
  }
  if (reads.length === 0) return { reads, connects, none: `the target's socket table could not be read (${sockets.snapshots[0]?.error ?? 'no read'})` };
  const ports = new Set(record.ledger.flatMap((e) => (e.localPort !== undefined ? [e.localPort] : [])));
  const seen = reads.some((r) => [...r.conns.keys()].some((p) => ports.has(p)));
  if (!seen) return { reads, connects, none: "none of the workload's connections is in the target's socket table (a proxy stands between them)" };
  return { reads, connects };
}

/**
 * What bounds when a connection closed, besides the socket reads: not before `notBeforeMs` (the signal it closed at),
 * and, where the client's event loop was held up when it saw the close, as early as `heldFromMs`, when that began.
 */
export interface CloseBounds {
  notBeforeMs: number;
  heldFromMs?: number;
}

/** The uptake of `e` by the target, from the reads made while its connection was open (`e` closed unanswered). */
export function uptakeOf(e: LedgerEntry, view: SocketView, bounds: CloseBounds): Uptake {
  const held = bounds.heldFromMs !== undefined && bounds.heldFromMs < e.endMs ? bounds.heldFromMs : e.endMs;
  const noRead = (why: string): Uptake => ({ taken: undefined, why: why + heldUp(e, held), closedMs: earliestClose(e, bounds, held) });
  if (view.none) return noRead(view.none);
  if (e.localPort === undefined) return noRead('the client never learned its connection');
  const from = e.connectedMs ?? e.sentMs;
  // A kept-alive connection was taken up long ago: only its bytes, read after they were written, count.
  const fresh = !e.reused;
  // The client sees its connect tens of ms late on a busy machine; a fresh connection's live socket read after the
  // request went out is its own already (the port is the client's until it closes, and an older connection on it
  // can have left only a closing socket).
  const mine = (atMs: number, c: SocketConn) => atMs >= from || (fresh && atMs >= e.sentMs && (c.state === 'ESTABLISHED' || c.state === 'SYN_RECV'));
  const seen = view.reads.filter((r) => r.atMs <= e.endMs && r.conns.has(e.localPort!) && mine(r.atMs, r.conns.get(e.localPort!)!)).map((r) => ({ atMs: r.atMs, c: r.conns.get(e.localPort!)! }));
  const afterWrite = (atMs: number) => e.writtenMs !== undefined && atMs >= e.writtenMs;
  for (const { atMs, c } of seen) {
    if (c.accepted && afterWrite(atMs) && c.rx === 0) return { taken: true, how: 'read', atMs };
    if (fresh && c.accepted) return { taken: true, how: 'accepted', atMs };
    if (fresh && isClosedByTarget(c)) return { taken: true, how: 'closed by the target', atMs };
  }
  // Read after the client saw the close, its socket can only be an orphan the target left (a listener's close leaves
  // none), until another connection takes the port: the target had taken it up and closed it.
  const next = Math.min(...(view.connects.get(e.localPort) ?? []).filter((ms) => ms > from), Number.POSITIVE_INFINITY);
  const orphan = fresh && view.reads.find((r) => r.atMs > e.endMs && r.atMs < next && r.conns.has(e.localPort!) && isClosedByTarget(r.conns.get(e.localPort!)!));
  if (orphan) return { taken: true, how: 'closed by the target', atMs: orphan.atMs };
  // The client learns of a reset when its event loop gets to it, tens of ms late on a busy machine.
  const since = Math.min(from, seen[0]?.atMs ?? from);
  const goneMs = view.reads.find((r) => r.atMs >= since && r.doneMs <= e.endMs && !r.conns.has(e.localPort!))?.doneMs;
  const last = seen.at(-1);
  const closedMs = earliestClose(e, bounds, held, last?.atMs, goneMs);
  if (last && closedMs - last.atMs <= STALE_MS) {
    if (isQueued(last.c)) return { taken: false, how: 'in the listen queue', atMs: last.atMs };
    if (!fresh && last.c.accepted && afterWrite(last.atMs) && last.c.rx > 0) return { taken: false, how: 'unread on a kept-alive connection', atMs: last.atMs };
  }
  const gone = goneMs === undefined ? '' : `, and gone from it ${Math.round(e.endMs - goneMs)} ms before the client saw the close`;
  const why = last ? `its connection was last seen ${Math.round(closedMs - last.atMs)} ms before it can have closed` : "its connection was never seen in the target's socket table";
  return { taken: undefined, why: why + gone + heldUp(e, held), closedMs };
}

/**
 * The earliest the connection can have closed: the end of the first read that no longer held it, or when the client's
 * loop began to be held up (`held`, at most when it saw the close), whichever is earlier; never before the signal, the
 * request, or the last read that still held it.
 */
const earliestClose = (e: LedgerEntry, bounds: CloseBounds, held: number, lastSeenMs = Number.NEGATIVE_INFINITY, goneMs = e.endMs): number =>
  Math.max(bounds.notBeforeMs, e.sentMs, lastSeenMs, Math.min(goneMs, held));

const heldUp = (e: LedgerEntry, heldFromMs: number) =>
  heldFromMs < e.endMs ? `, and the client's event loop was held up for ${Math.round(e.endMs - heldFromMs)} ms when it saw the close` : '';
