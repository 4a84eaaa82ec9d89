import { Agent, request } from 'node:http';
import type { Socket } from 'node:net';
import { now } from '../time.js';
import type { ClientConnection, LedgerEntry, Outcome } from './ledger.js';

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
}

const usedSockets = new WeakSet<Socket>();
/** Each connected socket's local port and when it connected (ms on the monotonic clock). */
const socketInfo = new WeakMap<Socket, { port: number; atMs: number }>();

/** Sends one request and records exactly how it ended. Never throws. */
export function send(endpoint: Endpoint, spec: RequestSpec): Promise<LedgerEntry> {
  return new Promise((resolve) => {
    const sentAt = now();
    let reused = false;
    let [socket, writtenAt, firstByteAt]: [Socket?, number?, number?] = [];
    let status: number | undefined;
    let expected: number | undefined;
    let bytes = 0;
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
      const info = socket && socketInfo.get(socket);
      resolve({
        id: spec.id,
        kind: spec.kind,
        method: spec.method,
        path: spec.path,
        connection: spec.agent === false ? 'fresh' : 'keep-alive',
        reused,
        sentMs: sentAt - spec.originMs,
        ...(info ? { localPort: info.port, connectedMs: info.atMs - spec.originMs } : {}),
        ...(writtenAt !== undefined ? { writtenMs: writtenAt - spec.originMs } : {}),
        ...(firstByteAt !== undefined ? { firstByteMs: firstByteAt - spec.originMs } : {}),
        endMs: now() - spec.originMs,
        outcome,
        ...(status !== undefined ? { status } : {}),
        bytes,
        ...(expected !== undefined ? { expectedBytes: expected } : {}),
        ...(error ? { error } : {}),
        ...(spec.writeId !== undefined ? { writeId: spec.writeId } : {}),
      });
    };

    const req = request(
      { host: endpoint.host, port: endpoint.port, method: spec.method, path: spec.path, agent: spec.agent, timeout: spec.timeoutMs },
      (res) => {
        firstByteAt = now();
        status = res.statusCode ?? 0;
        const length = res.headers['content-length'];
        if (length !== undefined) expected = Number(length);
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () => {
          // 'end' after an aborted body does not happen in Node ≥ 16; complete guards older paths too.
          if (!res.complete) return finish('truncated', 'response body ended early');
          finish(status! >= 400 ? 'http-error' : 'ok');
        });
        res.on('error', (e: NodeJS.ErrnoException) => finish('truncated', e.code ?? e.message));
        res.on('aborted', () => finish('truncated', 'connection closed mid-body'));
        res.on('close', () => {
          if (!res.complete) finish('truncated', 'connection closed mid-body');
        });
      },
    );
    req.on('socket', (s: Socket) => {
      socket = s;
      reused = usedSockets.has(s);
      usedSockets.add(s);
      if (!reused) track(s, spec.connections, spec.originMs);
    });
    req.on('finish', () => (writtenAt = now()));
    req.on('timeout', () => {
      req.destroy();
      finish(firstByteAt === undefined ? 'timeout' : 'truncated', `no progress for ${spec.timeoutMs} ms`);
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (firstByteAt !== undefined) return finish('truncated', e.code ?? e.message);
      finish(e.code === 'ECONNREFUSED' ? 'refused' : 'reset', e.code ?? e.message);
    });
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    req.end();
  });
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
