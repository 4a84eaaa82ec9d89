/**
 * How an operation ended, as the client saw it:
 * ok (2xx/3xx or gRPC OK, whole reply) · refused (no connection) · reset (connection dropped before any reply byte) ·
 * truncated (reply started, cut short) · timeout · http-error (4xx/5xx status) · rpc-error (a gRPC status other
 * than OK that the server sent) · wrong-reply (a whole TCP reply that is not the expected one).
 */
export type Outcome = 'ok' | 'refused' | 'reset' | 'truncated' | 'timeout' | 'http-error' | 'rpc-error' | 'wrong-reply';

export const OUTCOMES: readonly Outcome[] = ['ok', 'refused', 'reset', 'truncated', 'timeout', 'http-error', 'rpc-error', 'wrong-reply'];

/** The server answered, just not with success: an honest answer, never a connection lost. */
export const isAnswer = (outcome: Outcome): boolean => outcome === 'http-error' || outcome === 'rpc-error' || outcome === 'wrong-reply';

/** How the operation was sent: absent for HTTP (every ledger before other kinds existed). */
export type Protocol = 'tcp' | 'grpc' | 'exec' | 'redis';

/** One operation on the ledger. Times are ms after readiness, on the trial's monotonic clock. */
export interface LedgerEntry {
  id: number;
  /** request: one call answered once · stream: a long-lived reply · write: acknowledged storage · job: a job enqueued. */
  kind: 'request' | 'stream' | 'write' | 'job';
  protocol?: Protocol;
  /** What was sent, for people: the HTTP method, TCP, UNARY/STREAM (gRPC), the exec client's op, LPUSH. */
  method: string;
  /** Where: the HTTP path, the TCP request text, the gRPC /package.Service/Method, the queue. */
  path: string;
  /** `fresh`: a connection of its own; `keep-alive`: taken from a pool of reused connections. */
  connection: 'fresh' | 'keep-alive';
  /** The request went out on a connection that had already carried an earlier request. */
  reused: boolean;
  /** HTTP: the workload connection it went out on (numbered from 0 in the order they were opened)… */
  connectionId?: number;
  /** …and which request on that connection it was (1: its first; more on a keep-alive connection). */
  onConnection?: number;
  /** When the request was started (its connection may still have had to be opened). */
  sentMs: number;
  firstByteMs?: number;
  endMs: number;
  outcome: Outcome;
  /** The HTTP status, or the gRPC status code. */
  status?: number;
  /** The gRPC status name (UNAVAILABLE, CANCELLED, …). */
  code?: string;
  bytes: number;
  /** Content-Length, when the response declared one. */
  expectedBytes?: number;
  error?: string;
  /**
   * The connection ended in a TCP reset from the target's side (ECONNRESET on a read or write), not an orderly close
   * ("socket hang up"). A kernel resets a connection it closes only while bytes it received are still unread (or its
   * listener closed with it in the accept queue), so the target never read all of the request. HTTP requests only.
   */
  rst?: true;
  /**
   * The connection it went on, where the client knows it: its local port (how the target's own socket table names it),
   * when it connected, and when this operation's bytes were handed to the kernel. Socket evidence (TrialRecord.sockets)
   * is matched to the operation through these.
   */
  localPort?: number;
  connectedMs?: number;
  writtenMs?: number;
  /** For writes: the id the target acknowledged (or not). */
  writeId?: number;
  /** For jobs: the id enqueued (acknowledged by the queue when the outcome is ok). */
  jobId?: number;
}

/**
 * One TCP connection the workload held open (fresh or pooled keep-alive), from connect to close, in ms after
 * readiness: the target holds a socket for each while it lasts, which the fd oracle must not count as a leak.
 * `closeMs` is absent for a connection still open when the trial ended.
 */
export interface ClientConnection {
  openMs: number;
  closeMs?: number;
}

/** Connections open at `atMs`. */
export const openAt = (connections: readonly ClientConnection[], atMs: number): number =>
  connections.filter((c) => c.openMs <= atMs && (c.closeMs === undefined || c.closeMs > atMs)).length;

/** One operation in words, for messages: `#3 GET /slow`, `#7 gRPC UNARY /zoo.Zoo/Work`, `#9 TCP PUT 9\n`. */
export const operationLabel = (e: LedgerEntry): string => {
  const protocol = e.protocol === 'grpc' ? 'gRPC ' : e.protocol === 'redis' ? 'Redis ' : e.protocol === 'exec' ? 'exec ' : '';
  return `#${e.id} ${protocol}${e.method} ${e.path}`;
};

/** How an operation ended in words: the outcome with its gRPC code or HTTP status, and the error. */
export const outcomeLabel = (e: LedgerEntry): string =>
  `${e.outcome}${e.code ? ` ${e.code}` : e.status !== undefined && e.outcome !== 'ok' ? ` ${e.status}` : ''}${e.error ? ` (${e.error})` : ''}`;

export const isOk = (e: LedgerEntry): boolean => e.outcome === 'ok';

/** How often the workload's event loop is checked for running late (loop-late.ts). */
export const LOOP_TICK_MS = 10;
/** A tick this late or later is kept: the loop was held up (by the machine, or by sigstorm's other work), not merely busy. */
export const LOOP_KEPT_FROM_MS = 5;

/** A moment the workload's event loop ran late: its tick came `lateMs` after it was due (`atMs` after readiness). */
export interface LoopLate {
  atMs: number;
  lateMs: number;
}

/**
 * When the loop began to be held up, if it was held up when it saw something at `atMs`: each late tick held it from
 * when it was due, consecutive late ticks make one hold, and the loop works off what came meanwhile until the next
 * tick (late by less than 5 ms, else kept). Undefined: on time then.
 */
export function heldFrom(late: readonly LoopLate[] | undefined, atMs: number): number | undefined {
  let from: number | undefined;
  let until = Number.NEGATIVE_INFINITY;
  for (const l of late ?? []) {
    const due = l.atMs - l.lateMs;
    if (due > atMs) break;
    if (due > until + LOOP_TICK_MS + 1) from = due; // an on-time tick came between: a new hold
    until = l.atMs;
  }
  return from !== undefined && atMs <= until + LOOP_TICK_MS + LOOP_KEPT_FROM_MS ? from : undefined;
}
