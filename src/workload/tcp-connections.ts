import { connect, type Socket } from 'node:net';
import { now } from '../time.js';
import type { Endpoint } from './http-client.js';
import type { ClientConnection } from './ledger.js';

/**
 * The connections of one TCP stream. `fresh`: a new one per request, closed after it. `keep-alive`: a connection
 * that can carry another request waits idle in the pool until the next one takes it.
 */
export class TcpConnections {
  private readonly idle: Socket[] = [];
  private readonly used = new WeakSet<Socket>();
  private readonly live = new Set<Socket>();

  constructor(
    private readonly endpoint: Endpoint,
    /** Where each connection's open and close times go, and the ms that count as 0 there. */
    private readonly log: { connections: ClientConnection[]; originMs: number },
    readonly keepAlive: boolean,
  ) {}

  /** A connection for the next request: an idle one (keep-alive) or a new one; `reused` when it carried one before. */
  take(): { socket: Socket; reused: boolean } {
    const pooled = this.keepAlive ? this.idle.pop() : undefined;
    pooled?.off('data', outOfTurn);
    const socket = pooled ?? this.open();
    const reused = this.used.has(socket);
    this.used.add(socket);
    return { socket, reused };
  }

  /** A request is done with `socket`: back to the pool when it can carry another (keep-alive), else closed. */
  release(socket: Socket, reusable: boolean): void {
    if (reusable && this.keepAlive && !socket.destroyed && socket.readable) {
      socket.on('data', outOfTurn);
      this.idle.push(socket);
    } else socket.destroy();
  }

  /** Destroys every socket still open and waits until each has closed, so each connection's close time is known. */
  async closeAll(): Promise<void> {
    const closed = [...this.live].map((socket) => new Promise((resolve) => socket.once('close', resolve)));
    this.live.forEach((socket) => socket.destroy());
    await Promise.all(closed);
  }

  /** A new connection; as keep-alive, it leaves the pool when it closes. */
  private open(): Socket {
    const socket = connect({ host: this.endpoint.host, port: this.endpoint.port });
    socket.on('error', () => {}); // read by the operation in hand; an idle connection just closes
    track(socket, this.log.connections, this.log.originMs);
    this.live.add(socket);
    socket.once('close', () => {
      this.live.delete(socket);
      if (this.idle.includes(socket)) this.idle.splice(this.idle.indexOf(socket), 1);
    });
    return socket;
  }
}

/** Bytes from an idle keep-alive connection that nobody asked for: it is out of step, so it goes. */
function outOfTurn(this: Socket) {
  this.destroy();
}

/** Each connected socket's local port and when it connected (ms on the monotonic clock). */
const connected = new WeakMap<Socket, { port: number; atMs: number }>();

/** Where and when `socket` connected, once it has. */
export const connectedOf = (socket: Socket): { port: number; atMs: number } | undefined => connected.get(socket);

/** Logs when a connection is established and when it closes (a refused connect is never logged). */
function track(socket: Socket, connections: ClientConnection[], originMs: number): void {
  socket.once('connect', () => {
    if (socket.localPort !== undefined) connected.set(socket, { port: socket.localPort, atMs: now() });
    const connection: ClientConnection = { openMs: now() - originMs };
    connections.push(connection);
    socket.once('close', () => (connection.closeMs = now() - originMs));
  });
}
