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

export const isOk = (e: LedgerEntry): boolean => e.outcome === 'ok';
