import { connect, createServer, type Server, type Socket } from 'node:net';
import { now } from '../time.js';
import type { LoadBalancer, RotationChange, Route } from './balancer.js';

/**
 * sigstorm's own load balancer, in the way kube-proxy routes a Service: each new connection goes to the next replica
 * in rotation (round-robin), and stays on it until one side closes it, whatever the rotation does meanwhile (as
 * conntrack keeps an established flow on its pod after the endpoint is gone). A replica that no longer listens is
 * not skipped: the connection sent to it is reset (kube-proxy does not retry another endpoint either; with iptables
 * the client sees a refusal, here the accepted connection is reset before any byte of an answer). No replica in
 * rotation: the connection is reset too (kube-proxy rejects it).
 */
export async function embeddedBalancer(): Promise<LoadBalancer> {
  const replicas = new Map<string, number>(); // in rotation, in the order they joined
  const rotation: RotationChange[] = [];
  const routes: Route[] = [];
  const sockets = new Set<Socket>();
  let next = 0;
  let closing = false;

  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const accept = (client: Socket) => {
    if (closing) return void client.destroy();
    track(client);
    const route: Route = { clientPort: client.remotePort ?? 0, acceptedMs: now(), outcome: 'none' };
    routes.push(route);
    const names = [...replicas.keys()];
    if (names.length === 0) return void resetNow(client);
    const name = names[next++ % names.length]!;
    route.replica = name;
    const upstream = connect(replicas.get(name)!, '127.0.0.1');
    track(upstream);
    upstream.once('connect', () => Object.assign(route, { outcome: 'connected', upstreamMs: now() }));
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (route.upstreamMs === undefined) Object.assign(route, { outcome: 'refused', upstreamMs: now(), error: error.code ?? error.message });
      resetNow(client);
    });
    client.on('error', () => resetNow(upstream));
    client.pipe(upstream);
    upstream.pipe(client);
  };
  const server: Server = createServer(accept);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const change = (replica: string, kind: RotationChange['change'], why?: string) =>
    rotation.push({ atMs: now(), replica, change: kind, inRotation: [...replicas.keys()], ...(why ? { why } : {}) });

  return {
    kind: 'embedded',
    port: (server.address() as { port: number }).port,
    add(replica, port, why) {
      if (replicas.has(replica)) return;
      replicas.set(replica, port);
      change(replica, 'in', why);
    },
    remove(replica, why) {
      if (!replicas.delete(replica)) return;
      change(replica, 'out', why);
    },
    rotation,
    routes,
    settled: async () => undefined, // routed as accepted
    async [Symbol.asyncDispose]() {
      closing = true;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A reset where the connection stands; a socket still connecting or half closed is destroyed plainly (see process/proxy.ts). */
const resetNow = (socket: Socket) => (socket.connecting || socket.destroyed || socket.writableEnded ? socket.destroy() : socket.resetAndDestroy());
