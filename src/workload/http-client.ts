import { Agent, request } from 'node:http';
import type { Socket } from 'node:net';
import { now } from '../time.js';
import type { ClientConnection, LedgerEntry, Outcome } from './ledger.js';
import type { Phase, RequestPhases } from './phases.js';

export interface Endpoint {
  host: string;
  port: number;
}

export interface RequestSpec {
  id: number;
  kind: LedgerEntry['kind'];
  method: string;
  path: string;
  agent: Agent | false;
  timeoutMs: number;
  /** Ms on the monotonic clock that count as 0 in the ledger (the target's readiness). */
  originMs: number;
  writeId?: number;
  /** Aborting ends the request early; it is then recorded as a timeout if unfinished. */
  signal?: AbortSignal;
  /** Each new connection is appended here when it connects; its close time is filled in when it closes. */
  connections?: ClientConnection[];
  /** Where its phases are announced (sent, first response byte) as they happen; connections are numbered there. */
  phases?: RequestPhases;
}

/** Each socket's number and how many requests it has carried (the pool reuses sockets across requests). */
const sockets = new WeakMap<Socket, { connection: number; requests: number }>();
let unnumbered = 0;
/** Each connected socket's local port and when it connected (ms on the monotonic clock). */
const socketInfo = new WeakMap<Socket, { port: number; atMs: number }>();

/** What a request has shown so far, as it goes. */
interface Seen {
  socket?: Socket;
  on?: { connection: number; onConnection: number };
  writtenAt?: number;
  firstByteAt?: number;
  status?: number;
  expected?: number;
  bytes: number;
  /** The target reset the connection (see LedgerEntry.rst). */
  rst?: true;
}

/** The ledger entry of a request that ended now, from what it showed. */
function entryOf(spec: RequestSpec, sentAt: number, seen: Seen, outcome: Outcome, error?: string): LedgerEntry {
  const { on, writtenAt, firstByteAt, status, expected } = seen;
  const info = seen.socket && socketInfo.get(seen.socket);
  return {
    id: spec.id,
    kind: spec.kind,
    method: spec.method,
    path: spec.path,
    connection: spec.agent === false ? 'fresh' : 'keep-alive',
    reused: (on?.onConnection ?? 1) > 1,
    ...(on ? { connectionId: on.connection, onConnection: on.onConnection } : {}),
    sentMs: sentAt - spec.originMs,
    ...(info ? { localPort: info.port, connectedMs: info.atMs - spec.originMs } : {}),
    ...(writtenAt !== undefined ? { writtenMs: writtenAt - spec.originMs } : {}),
    ...(firstByteAt !== undefined ? { firstByteMs: firstByteAt - spec.originMs } : {}),
    endMs: now() - spec.originMs,
    outcome,
    ...(status !== undefined ? { status } : {}),
    bytes: seen.bytes,
    ...(expected !== undefined ? { expectedBytes: expected } : {}),
    ...(error ? { error } : {}),
    ...(seen.rst ? { rst: true } : {}),
    ...(spec.writeId !== undefined ? { writeId: spec.writeId } : {}),
  };
}

/** Sends one request and records exactly how it ended. Never throws. */
export function send(endpoint: Endpoint, spec: RequestSpec): Promise<LedgerEntry> {
  return new Promise((resolve) => {
    const sentAt = now();
    const seen: Seen = { bytes: 0 };
    const announce = (phase: Phase, atMs = now()) => seen.on && spec.phases?.announce({ id: spec.id, path: spec.path, phase, ...seen.on, atMs });
    let settled = false;
    const onAbort = () => {
      req.destroy();
      // Still open when the trial was over: indeterminate, never counted as a loss.
      finish('timeout', 'unfinished when the trial ended');
    };
    const finish = (outcome: Outcome, error?: string) => {
      if (settled) return;
      settled = true;
      spec.signal?.removeEventListener('abort', onAbort);
      resolve(entryOf(spec, sentAt, seen, outcome, error));
    };

    const req = request(
      { host: endpoint.host, port: endpoint.port, method: spec.method, path: spec.path, agent: spec.agent, timeout: spec.timeoutMs },
      (res) => {
        seen.firstByteAt = now();
        announce('response', seen.firstByteAt);
        seen.status = res.statusCode ?? 0;
        const length = res.headers['content-length'];
        if (length !== undefined) seen.expected = Number(length);
        res.on('data', (chunk: Buffer) => (seen.bytes += chunk.length));
        res.on('end', () => {
          // 'end' after an aborted body does not happen in Node ≥ 16; complete guards older paths too.
          if (!res.complete) return finish('truncated', 'response body ended early');
          finish(seen.status! >= 400 ? 'http-error' : 'ok');
        });
        res.on('error', (e: NodeJS.ErrnoException) => finish('truncated', e.code ?? e.message));
        res.on('aborted', () => finish('truncated', 'connection closed mid-body'));
        res.on('close', () => {
          if (!res.complete) finish('truncated', 'connection closed mid-body');
        });
      },
    );
    req.on('socket', (s: Socket) => {
      seen.socket = s;
      seen.on = numbered(s, spec.phases);
      if (seen.on.onConnection === 1) track(s, spec.connections, spec.originMs);
    });
    req.on('finish', () => {
      seen.writtenAt = now();
      announce('sent', seen.writtenAt); // written to its connection (after the connect, for a new one)
    });
    req.on('timeout', () => {
      req.destroy();
      finish(seen.firstByteAt === undefined ? 'timeout' : 'truncated', `no progress for ${spec.timeoutMs} ms`);
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (seen.firstByteAt !== undefined) return finish('truncated', e.code ?? e.message);
      // A reset arrives as a failed read or write; an orderly close before any answer is Node's "socket hang up",
      // ECONNRESET too but with no system call.
      if (e.code === 'ECONNRESET' && e.syscall !== undefined) seen.rst = true;
      finish(e.code === 'ECONNREFUSED' ? 'refused' : 'reset', e.code ?? e.message);
    });
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    req.end();
  });
}

/** The socket's number (a new one gets the next) and which request on it this one is. */
function numbered(socket: Socket, phases: RequestPhases | undefined): { connection: number; onConnection: number } {
  const known = sockets.get(socket) ?? { connection: phases?.nextConnection() ?? unnumbered++, requests: 0 };
  sockets.set(socket, known);
  return { connection: known.connection, onConnection: ++known.requests };
}

/** Logs when a new socket is connected (and its port) and when it closes (a refused connect is never logged). */
function track(socket: Socket, connections: ClientConnection[] | undefined, originMs: number): void {
  let connection: ClientConnection | undefined;
  const connected = () => {
    const atMs = now();
    if (socket.localPort !== undefined) socketInfo.set(socket, { port: socket.localPort, atMs });
    connection = { openMs: atMs - originMs };
    connections?.push(connection);
  };
  if (socket.connecting) socket.once('connect', connected);
  else connected();
  socket.once('close', () => {
    if (connection) connection.closeMs = now() - originMs;
  });
}
