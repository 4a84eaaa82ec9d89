import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { embeddedBalancer } from '../../src/balancer/embedded.js';
import type { LoadBalancer } from '../../src/balancer/balancer.js';

// sigstorm's own balancer over real loopback sockets: servers that answer with their name.

const servers: Server[] = [];
let balancer: LoadBalancer | undefined;

afterEach(async () => {
  await balancer?.[Symbol.asyncDispose]();
  balancer = undefined;
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A server that answers each line with its name; its port. */
async function named(name: string): Promise<number> {
  const server = createServer((socket) => socket.on('data', () => socket.write(`${name}\n`)));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.address() as { port: number }).port;
}

/** Connects through the balancer: its socket, and the first answer (or the error that ended it). */
function ask(port: number, socket: Socket = connect(port, '127.0.0.1')): Promise<{ socket: Socket; answer: string }> {
  return new Promise((resolve) => {
    socket.once('data', (d) => resolve({ socket, answer: d.toString().trim() }));
    socket.once('error', (e: NodeJS.ErrnoException) => resolve({ socket, answer: e.code ?? e.message }));
    socket.once('close', () => resolve({ socket, answer: 'closed' }));
    socket.write('hi\n');
  });
}

describe('the embedded balancer', () => {
  it('spreads new connections round-robin over the replicas in rotation, and records where each went', async () => {
    balancer = await embeddedBalancer();
    balancer.add('a', await named('a'));
    balancer.add('b', await named('b'));
    const answers = [];
    for (let i = 0; i < 4; i++) {
      const { socket, answer } = await ask(balancer.port);
      answers.push(answer);
      socket.destroy();
    }
    expect(answers).toEqual(['a', 'b', 'a', 'b']);
    expect(balancer.routes.map((r) => [r.replica, r.outcome])).toEqual([['a', 'connected'], ['b', 'connected'], ['a', 'connected'], ['b', 'connected']]);
    expect(balancer.routes.every((r) => r.clientPort > 0)).toBe(true);
  });

  it('keeps an established connection on its replica once the replica leaves rotation (as conntrack does)', async () => {
    balancer = await embeddedBalancer();
    balancer.add('a', await named('a'));
    balancer.add('b', await named('b'));
    const first = await ask(balancer.port);
    expect(first.answer).toBe('a');
    balancer.remove('a', 'endpoint removed');
    expect((await ask(balancer.port, first.socket)).answer).toBe('a');
    const fresh = await ask(balancer.port);
    expect(fresh.answer).toBe('b');
    fresh.socket.destroy();
    first.socket.destroy();
    expect(balancer.rotation.map((c) => [c.replica, c.change, c.inRotation])).toEqual([['a', 'in', ['a']], ['b', 'in', ['a', 'b']], ['a', 'out', ['b']]]);
  });

  it('resets a connection sent to a replica that no longer listens, and one that finds no replica at all', async () => {
    balancer = await embeddedBalancer();
    const port = await named('gone');
    await new Promise((resolve) => servers.pop()!.close(resolve));
    balancer.add('gone', port);
    const refused = await ask(balancer.port);
    expect(['ECONNRESET', 'closed']).toContain(refused.answer);
    expect(balancer.routes[0]).toMatchObject({ replica: 'gone', outcome: 'refused', error: 'ECONNREFUSED' });
    balancer.remove('gone');
    const none = await ask(balancer.port);
    expect(['ECONNRESET', 'closed']).toContain(none.answer);
    expect(balancer.routes[1]).toMatchObject({ outcome: 'none' });
    expect(balancer.routes[1]!.replica).toBeUndefined();
  });
});
