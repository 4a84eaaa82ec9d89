/**
 * How a request ended, as the client saw it:
 * ok (2xx/3xx, whole body) · refused (no connection) · reset (connection dropped before any response byte) ·
 * truncated (response started, body cut short) · timeout · http-error (4xx/5xx status).
 */
export type Outcome = 'ok' | 'refused' | 'reset' | 'truncated' | 'timeout' | 'http-error';

/** One request on the ledger. Times are ms after readiness, on the trial's monotonic clock. */
export interface LedgerEntry {
  id: number;
  kind: 'request' | 'stream' | 'write';
  method: string;
  path: string;
  /** `fresh`: a connection of its own; `keep-alive`: taken from a pool of reused connections. */
  connection: 'fresh' | 'keep-alive';
  /** The request went out on a connection that had already carried an earlier request. */
  reused: boolean;
  sentMs: number;
  firstByteMs?: number;
  endMs: number;
  outcome: Outcome;
  status?: number;
  bytes: number;
  /** Content-Length, when the response declared one. */
  expectedBytes?: number;
  error?: string;
  /** For writes: the id the target acknowledged (or not). */
  writeId?: number;
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

export const isOk = (e: LedgerEntry): boolean => e.outcome === 'ok';
