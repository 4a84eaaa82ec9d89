import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogBuffer } from '../../src/backends/logs.js';
import { readinessProbe } from '../../src/probes/ready.js';
import { probeTcp } from '../../src/probes/tcp-connect.js';

// The TCP readiness probe against real sockets on loopback: a port that listens, one that does not (a port the
// kernel just gave back), and where it connects: `listening`, never the endpoint (a proxy may sit there).

let server: Server;
let open: number;
let closed: number;

const listen = (s: Server) => new Promise<number>((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as { port: number }).port)));

beforeAll(async () => {
  server = createServer((socket) => socket.end());
  open = await listen(server);
  const gone = createServer();
  closed = await listen(gone);
  await new Promise((resolve) => gone.close(resolve));
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('readiness: tcp', () => {
  it('connects and closes: ok on a listening port, the refusal named on a closed one', async () => {
    expect(await probeTcp('127.0.0.1', open)).toEqual({ ok: true, detail: 'connected' });
    expect(await probeTcp('127.0.0.1', closed)).toEqual({ ok: false, detail: 'ECONNREFUSED' });
  });

  it("probes where the target listens, not its endpoint, and says what it last saw while it waits", async () => {
    const probe = readinessProbe({ tcp: true, timeout: 1000 });
    const logs = new LogBuffer();
    // The endpoint accepts (as Docker's userland proxy does) but the service itself does not listen yet.
    expect(await probe.check({ endpoint: { host: '127.0.0.1', port: open }, listening: { host: '127.0.0.1', port: closed }, logs })).toBe(false);
    expect(probe.waitingFor()).toBe(`TCP probe (last: connect 127.0.0.1:${closed} → ECONNREFUSED)`);
    expect(await probe.check({ endpoint: undefined, listening: { host: '127.0.0.1', port: open }, logs })).toBe(true);
  });

  it('with a log line too, both must hold; without an address to connect to, it is an infrastructure error', async () => {
    const logs = new LogBuffer();
    const both = readinessProbe({ tcp: true, log: 'up', timeout: 1000 });
    expect(await both.check({ endpoint: undefined, listening: { host: '127.0.0.1', port: open }, logs })).toBe(false);
    await expect(readinessProbe({ tcp: 6379, timeout: 1000 }).check({ endpoint: undefined, logs })).rejects.toThrow(/TCP readiness probe has no address/);
  });
});
