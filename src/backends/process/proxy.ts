import { createServer, connect, type Server, type Socket } from 'node:net';
import type { PartitionSpec } from '../target.js';

/**
 * A TCP proxy owned by sigstorm between the workload and a local target, for partitions without network
 * namespaces. While cut, `drop` stops forwarding in the cut direction (the bytes wait, as if packets were lost and
 * retransmitted later) and `reject` resets every connection, new ones included.
 */
export class PartitionProxy {
  private server?: Server;
  private readonly pairs = new Set<[Socket, Socket]>();
  /** Every socket still open, whether or not its partner is: close() must not wait on any of them. */
  private readonly sockets = new Set<Socket>();
  private cut: PartitionSpec | undefined;
  private closing = false;

  constructor(private readonly targetPort: number) {}

  async listen(): Promise<number> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', () => resolve());
    });
    return (this.server.address() as { port: number }).port;
  }

  partition(spec: PartitionSpec): void {
    this.cut = spec;
    if (spec.mode === 'reject') for (const [client, upstream] of this.pairs) reset(client, upstream);
    else for (const pair of this.pairs) this.flow(pair);
  }

  heal(): void {
    this.cut = undefined;
    for (const pair of this.pairs) this.flow(pair);
  }

  async close(): Promise<void> {
    this.closing = true;
    // The trial is over: a plain destroy. (A reset of a socket still connecting waits for a connection that may never
    // come, and its handle then kept sigstorm from exiting: Node's exit spun on it.)
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(client: Socket): void {
    // A connection still in the backlog when closing began is taken after it: it must not open an upstream then.
    if (this.closing) return void client.destroy();
    if (this.cut?.mode === 'reject' && this.cut.direction !== 'out') return void resetNow(client);
    const upstream = connect(this.targetPort, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    // A reset or refusal upstream reaches the client as a reset, never as a clean close.
    upstream.on('error', () => resetNow(client));
    client.on('error', () => resetNow(upstream));
    for (const socket of pair) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    }
    // Once one side is gone the other must read again, or a side paused by a cut would never see its EOF.
    const forget = () => {
      this.pairs.delete(pair);
      client.resume();
      upstream.resume();
    };
    client.on('close', forget);
    upstream.on('close', forget);
    this.flow(pair);
  }

  /** Pauses the cut directions of one connection and resumes the others. */
  private flow([client, upstream]: [Socket, Socket]): void {
    const inCut = this.cut?.mode === 'drop' && this.cut.direction !== 'out';
    const outCut = this.cut?.mode === 'drop' && this.cut.direction !== 'in';
    if (inCut) client.pause();
    else client.resume();
    if (outCut) upstream.pause();
    else upstream.resume();
  }
}

/**
 * A reset where the connection stands. A socket still connecting, or already shut down for writing, is destroyed
 * plainly: Node defers a reset until a connection that may never come, and a reset that the kernel refuses (after a
 * shutdown) leaves the handle open; either kept sigstorm from exiting (Node's exit spun on the handle).
 */
const resetNow = (socket: Socket) =>
  socket.connecting || socket.destroyed || socket.writableEnded ? socket.destroy() : socket.resetAndDestroy();

const reset = (a: Socket, b: Socket) => {
  resetNow(a);
  resetNow(b);
};
