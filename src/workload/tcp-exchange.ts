import type { Socket } from 'node:net';
import { now } from '../time.js';
import type { Drive } from './drive.js';
import type { LedgerEntry, Outcome } from './ledger.js';
import { connectedOf, type TcpConnections } from './tcp-connections.js';
import { complete, MAX_REPLY_BYTES, printable, type Framing, type Reply } from './tcp-reply.js';

/** How a stream's requests go on the wire and how their replies are read: plain data from the scenario. */
export interface TcpWire {
  /** Text is UTF-8; hex requests are bytes, so `until` and `expect` then read one character per byte. */
  encoding: BufferEncoding;
  framing: Framing;
  /** Ms without progress that end a request. */
  timeout: number;
}

/** One request: its id, when it went out, its bytes, and what its reply must match. */
export interface TcpRequest {
  id: number;
  sentAt: number;
  bytes: Buffer;
  expect: RegExp | undefined;
}

/**
 * One request on one connection, from its write until its reply is whole, the connection fails, or the trial ends.
 * It settles once, with the request's ledger entry, and hands the connection back to the pool.
 */
export class TcpExchange {
  private readonly chunks: Buffer[] = [];
  private received = 0;
  private firstByteAt: number | undefined;
  private writtenAt: number | undefined;
  private settled = false;

  constructor(
    private readonly request: TcpRequest,
    private readonly connection: { socket: Socket; reused: boolean },
    private readonly wire: TcpWire,
    private readonly pool: TcpConnections,
    private readonly drive: Drive,
    private readonly settle: (entry: LedgerEntry) => void,
  ) {}

  start(): void {
    const { socket } = this.connection;
    socket.on('data', this.onData).on('end', this.onEnd).on('error', this.onError).on('close', this.onClose).on('timeout', this.onTimeout);
    socket.setTimeout(this.wire.timeout);
    if (this.drive.ending.aborted) return this.onAbort();
    this.drive.ending.addEventListener('abort', this.onAbort, { once: true });
    socket.write(this.request.bytes, (error) => void (error ? undefined : (this.writtenAt ??= now())));
  }

  private readonly onData = (chunk: Buffer) => {
    this.firstByteAt ??= now();
    this.chunks.push(chunk);
    this.received += chunk.length;
    const reply = complete(Buffer.concat(this.chunks), this.wire.framing);
    if (reply) return this.judge(reply);
    if (this.received > MAX_REPLY_BYTES) this.finish('wrong-reply', `no end of reply within ${MAX_REPLY_BYTES} bytes`);
  };
  private readonly onEnd = () => {
    if (this.wire.framing === 'close' && this.received > 0) return this.judge({ body: Buffer.concat(this.chunks), extra: 0 });
    this.cut('closed by the server');
  };
  private readonly onError = (e: NodeJS.ErrnoException) => {
    if (e.code === 'ECONNREFUSED') return this.finish('refused', e.code);
    this.cut(e.code ?? e.message);
  };
  private readonly onClose = () => this.cut('connection closed');
  private readonly onTimeout = () => this.finish(this.received > 0 ? 'truncated' : 'timeout', `no progress for ${this.wire.timeout} ms`);
  // Still open when the trial was over: indeterminate, never counted as a loss.
  private readonly onAbort = () => this.finish('timeout', 'unfinished when the trial ended');

  private judge({ body, extra }: Reply): void {
    const { encoding } = this.wire;
    const { expect } = this.request;
    const text = body.toString(encoding);
    // Bytes after the reply put the connection out of step: it is not reused.
    if (!expect || expect.test(text)) return this.finish('ok', undefined, extra === 0);
    this.finish('wrong-reply', `expected /${expect.source}/, got "${printable(text, encoding)}"`, extra === 0);
  }

  private cut(why: string): void {
    if (this.received > 0) this.finish('truncated', `${why} after ${this.received} reply byte(s)`);
    else this.finish('reset', `${why} before any reply byte`);
  }

  private finish(outcome: Outcome, error?: string, reusable = false): void {
    if (this.settled) return;
    this.settled = true;
    const { socket } = this.connection;
    socket.off('data', this.onData).off('end', this.onEnd).off('error', this.onError).off('close', this.onClose).off('timeout', this.onTimeout);
    this.drive.ending.removeEventListener('abort', this.onAbort);
    socket.setTimeout(0);
    this.pool.release(socket, reusable);
    this.settle(this.entry(outcome, error));
  }

  private entry(outcome: Outcome, error: string | undefined): LedgerEntry {
    const { id, sentAt, bytes } = this.request;
    const { encoding } = this.wire;
    const { originMs } = this.drive;
    const at = connectedOf(this.connection.socket);
    return {
      id,
      kind: 'request',
      protocol: 'tcp',
      method: 'TCP',
      path: printable(bytes.toString(encoding), encoding),
      connection: this.pool.keepAlive ? 'keep-alive' : 'fresh',
      reused: this.connection.reused,
      sentMs: sentAt - originMs,
      ...(at ? { localPort: at.port, connectedMs: at.atMs - originMs } : {}),
      ...(this.writtenAt !== undefined ? { writtenMs: this.writtenAt - originMs } : {}),
      ...(this.firstByteAt !== undefined ? { firstByteMs: this.firstByteAt - originMs } : {}),
      endMs: now() - originMs,
      outcome,
      bytes: this.received,
      ...(error ? { error } : {}),
    };
  }
}
