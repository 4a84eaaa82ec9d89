import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { workload } from '../../src/scenario/schema/workload.js';
import { now, sleep, within } from '../../src/time.js';
import { Drive } from '../../src/workload/drive.js';
import type { LedgerEntry } from '../../src/workload/ledger.js';
import { driveTcp, printable } from '../../src/workload/tcp.js';

// The TCP client against real servers on loopback: every outcome, every framing, the keep-alive pool.

const servers: Server[] = [];
const sockets = new Set<Socket>();
afterEach(async () => {
  sockets.forEach((s) => s.destroy());
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A server on a free loopback port; `serve` gets every connection. */
async function listen(serve: (socket: Socket) => void): Promise<number> {
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    serve(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

/** Calls `answer` for each line a connection sends (without its newline). */
const lines = (answer: (line: string, socket: Socket) => void) => (socket: Socket) => {
  let buffered = '';
  socket.on('data', (chunk) => {
    buffered += chunk.toString('latin1');
    for (let at = buffered.indexOf('\n'); at >= 0; at = buffered.indexOf('\n')) {
      const line = buffered.slice(0, at);
      buffered = buffered.slice(at + 1);
      answer(line, socket);
    }
  });
};

const put = lines((line, socket) => socket.write(`OK ${line.slice(4)}\n`));

/** Drives one TCP stream for `runMs`, then ends as a trial does: stop, let in-flight finish for `settleMs`, end. */
async function drive(stream: Record<string, unknown>, port: number, runMs = 250, settleMs = 2000) {
  const spec = workload.parse({ tcp: [stream] }).tcp[0]!;
  const d = new Drive(now());
  const driver = driveTcp(spec, { host: '127.0.0.1', port }, d);
  await sleep(runMs);
  d.stop();
  await driver.loop;
  await within(Promise.all([...d.inFlight]), settleMs);
  d.end();
  await Promise.all([...d.inFlight]);
  await driver.close?.();
  return { ledger: d.ledger.sort((a, b) => a.id - b.id), connections: d.connections };
}

const outcomes = (ledger: LedgerEntry[]) => [...new Set(ledger.map((e) => e.outcome))];

describe('tcp workload: outcomes', () => {
  it('records a whole, matching reply as ok, with the request as its path', async () => {
    const port = await listen(put);
    const { ledger, connections } = await drive({ send: 'PUT {id}\n', expect: '^OK {id}$', rate: 40 }, port);
    expect(ledger.length).toBeGreaterThan(3);
    expect(outcomes(ledger)).toEqual(['ok']);
    const e = ledger[1]!;
    expect(e).toMatchObject({ kind: 'request', protocol: 'tcp', method: 'TCP', path: 'PUT 1\\n', connection: 'fresh', reused: false, bytes: 5 });
    expect(e.firstByteMs).toBeGreaterThanOrEqual(e.sentMs);
    expect(e.endMs).toBeGreaterThanOrEqual(e.firstByteMs!);
    // A fresh connection per request, each closed once answered.
    expect(connections).toHaveLength(ledger.length);
    expect(connections.every((c) => c.closeMs !== undefined && c.closeMs >= c.openMs)).toBe(true);
  });

  it('records a whole reply that does not match as wrong-reply, quoting it', async () => {
    const port = await listen(lines((_, socket) => socket.write('ERR unknown\tcommand\n')));
    const { ledger } = await drive({ send: 'PUT {id}\n', expect: '^OK {id}$' }, port);
    expect(outcomes(ledger)).toEqual(['wrong-reply']);
    expect(ledger[0]!.error).toBe('expected /^OK 0$/, got "ERR unknown\\tcommand"');
  });

  it('takes any whole reply as ok when nothing is expected', async () => {
    const port = await listen(lines((_, socket) => socket.write('whatever\n')));
    expect(outcomes((await drive({ send: 'PING\n' }, port)).ledger)).toEqual(['ok']);
  });

  it('records a connection nobody accepts as refused', async () => {
    const port = await listen(() => {});
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const { ledger, connections } = await drive({ send: 'PING\n' }, port);
    expect(outcomes(ledger)).toEqual(['refused']);
    expect(ledger[0]!.error).toBe('ECONNREFUSED');
    expect(connections).toEqual([]);
  });

  it('records a connection closed or reset before any reply byte as reset', async () => {
    const closing = await listen(lines((_, socket) => socket.end()));
    const closed = (await drive({ send: 'PING\n' }, closing)).ledger;
    expect(outcomes(closed)).toEqual(['reset']);
    expect(closed[0]!.error).toBe('closed by the server before any reply byte');
    expect(closed[0]!.firstByteMs).toBeUndefined();
    const resetting = await listen(lines((_, socket) => socket.resetAndDestroy()));
    const reset = (await drive({ send: 'PING\n' }, resetting)).ledger;
    expect(outcomes(reset)).toEqual(['reset']);
    expect(reset[0]!.error).toBe('ECONNRESET before any reply byte');
  });

  it('records a reply cut short by a close or a reset as truncated', async () => {
    const closing = await listen(lines((_, socket) => socket.end('OK ')));
    const closed = (await drive({ send: 'PUT {id}\n', expect: '^OK {id}$' }, closing)).ledger;
    expect(outcomes(closed)).toEqual(['truncated']);
    expect(closed[0]).toMatchObject({ bytes: 3, error: 'closed by the server after 3 reply byte(s)' });
    const resetting = await listen(lines((_, socket) => socket.write('OK ', () => setTimeout(() => socket.resetAndDestroy(), 20))));
    expect(outcomes((await drive({ send: 'PUT {id}\n' }, resetting)).ledger)).toEqual(['truncated']);
  });

  it('records no progress for `timeout` as a timeout, or as truncated once bytes came', async () => {
    const silent = await listen(() => {});
    const quiet = (await drive({ send: 'PING\n', timeout: 100, rate: 5 }, silent, 50)).ledger;
    expect(quiet.map((e) => [e.outcome, e.error])).toEqual([['timeout', 'no progress for 100 ms']]);
    expect(quiet[0]!.endMs - quiet[0]!.sentMs).toBeGreaterThanOrEqual(95);
    const stalling = await listen(lines((_, socket) => socket.write('PO')));
    const stalled = (await drive({ send: 'PING\n', timeout: 100, rate: 5 }, stalling, 50)).ledger;
    expect(stalled.map((e) => [e.outcome, e.bytes])).toEqual([['truncated', 2]]);
  });

  it('records what is unfinished when the trial ends as a timeout, never a loss', async () => {
    const silent = await listen(() => {});
    const { ledger, connections } = await drive({ send: 'PING\n', rate: 5 }, silent, 50, 100);
    expect(ledger.map((e) => [e.outcome, e.error])).toEqual([['timeout', 'unfinished when the trial ended']]);
    expect(connections[0]!.closeMs).toBeDefined();
  });
});

describe('tcp workload: framing', () => {
  it('ends a reply at a delimiter of several bytes, which is not part of the reply', async () => {
    const port = await listen(lines((_, socket) => socket.write('+OK\r\n')));
    const { ledger } = await drive({ send: 'PING\r\n', until: '\r\n', expect: '^\\+OK$' }, port);
    expect(outcomes(ledger)).toEqual(['ok']);
    expect(ledger[0]!.bytes).toBe(5);
  });

  it('waits for a delimiter split across packets', async () => {
    const port = await listen(lines((_, socket) => {
      socket.write('OK\r');
      setTimeout(() => socket.write('\nnext'), 30);
    }));
    const { ledger } = await drive({ send: 'PING\n', until: '\r\n', expect: '^OK$', rate: 5 }, port, 50);
    expect(ledger.map((e) => [e.outcome, e.bytes])).toEqual([['ok', 8]]);
  });

  it('ends a reply after `length` bytes, however they arrive', async () => {
    const port = await listen(lines((_, socket) => {
      socket.write('AB');
      setTimeout(() => socket.write('CD'), 30);
    }));
    const { ledger } = await drive({ send: 'GET\n', until: { length: 4 }, expect: '^ABCD$', rate: 5 }, port, 50);
    expect(ledger.map((e) => [e.outcome, e.bytes])).toEqual([['ok', 4]]);
    const short = await listen(lines((_, socket) => socket.end('ABC')));
    expect(outcomes((await drive({ send: 'GET\n', until: { length: 4 } }, short)).ledger)).toEqual(['truncated']);
  });

  it('with `until: close`, ends a reply at the close: bytes then close is whole, a close without bytes is a reset', async () => {
    const port = await listen(lines((_, socket) => socket.end('line one\nline two\n')));
    const { ledger } = await drive({ send: 'GET\n', until: 'close', expect: '^line one\\nline two\\n$' }, port);
    expect(outcomes(ledger)).toEqual(['ok']);
    const empty = await listen(lines((_, socket) => socket.end()));
    expect(outcomes((await drive({ send: 'GET\n', until: 'close' }, empty)).ledger)).toEqual(['reset']);
  });

  it('sends hex bytes as they are and reads the reply one character per byte', async () => {
    const seen: Buffer[] = [];
    const port = await listen((socket) =>
      socket.on('data', (chunk) => {
        seen.push(chunk);
        socket.write(Buffer.from([0x01, 0xff, 0x00, 0x0a]));
      }),
    );
    const { ledger } = await drive({ send_hex: '00ff0a', expect: '^\\x01\\xff\\x00$', rate: 5 }, port, 50);
    expect(ledger.map((e) => e.outcome)).toEqual(['ok']);
    expect(Buffer.concat(seen)).toEqual(Buffer.from([0x00, 0xff, 0x0a]));
    expect(ledger[0]!.path).toBe('\\u0000\\u00ff\\n');
  });
});

describe('tcp workload: keep-alive', () => {
  it('sends one request at a time on each of at most `concurrency` connections, reusing them', async () => {
    let busy = 0;
    let overlapping = false;
    const port = await listen((socket) => {
      let inHand = false;
      lines((line) => {
        if (inHand) overlapping = true;
        inHand = true;
        busy++;
        setTimeout(() => {
          inHand = false;
          busy--;
          socket.write(`OK ${line.slice(4)}\n`);
        }, 40);
      })(socket);
    });
    const { ledger, connections } = await drive({ send: 'PUT {id}\n', expect: '^OK {id}$', connection: 'keep-alive', concurrency: 2, rate: 100 }, port, 400);
    expect(overlapping).toBe(false);
    expect(busy).toBe(0);
    expect(outcomes(ledger)).toEqual(['ok']);
    expect(connections.length).toBeLessThanOrEqual(2);
    expect(ledger.filter((e) => !e.reused)).toHaveLength(connections.length);
    expect(ledger.filter((e) => e.reused).length).toBeGreaterThan(3);
    expect(ledger.every((e) => e.connection === 'keep-alive')).toBe(true);
    // Closed by the driver at the end.
    expect(connections.every((c) => c.closeMs !== undefined)).toBe(true);
  });

  it('drops a connection the server closed from the pool', async () => {
    const port = await listen(lines((line, socket) => socket.end(`OK ${line.slice(4)}\n`)));
    const { ledger, connections } = await drive({ send: 'PUT {id}\n', expect: '^OK {id}$', connection: 'keep-alive', concurrency: 1, rate: 10 }, port, 350);
    expect(ledger.length).toBeGreaterThanOrEqual(3);
    expect(outcomes(ledger)).toEqual(['ok']);
    expect(ledger.some((e) => e.reused)).toBe(false);
    expect(connections).toHaveLength(ledger.length);
  });

  it('does not reuse a connection that sent more than the reply', async () => {
    const port = await listen(lines((line, socket) => socket.write(`OK ${line.slice(4)}\nOK again\n`)));
    const { ledger, connections } = await drive({ send: 'PUT {id}\n', expect: '^OK {id}$', connection: 'keep-alive', concurrency: 1, rate: 20 }, port);
    expect(outcomes(ledger)).toEqual(['ok']);
    expect(ledger.some((e) => e.reused)).toBe(false);
    expect(connections).toHaveLength(ledger.length);
  });

  it('records a reused connection the server closes on the next request as a reset, at once', async () => {
    // Each connection answers its first request and closes on the second, unanswered.
    const port = await listen((socket) => {
      let seen = 0;
      lines((line) => (seen++ === 0 ? socket.write(`OK ${line.slice(4)}\n`) : socket.end()))(socket);
    });
    const { ledger } = await drive({ send: 'PUT {id}\n', connection: 'keep-alive', concurrency: 1, rate: 20 }, port, 300);
    expect(ledger.length).toBeGreaterThanOrEqual(4);
    expect(ledger.map((e) => [e.outcome, e.reused]).slice(0, 4)).toEqual([['ok', false], ['reset', true], ['ok', false], ['reset', true]]);
    expect(ledger.filter((e) => e.outcome === 'reset').every((e) => e.endMs - e.sentMs < 50)).toBe(true);
  });
});

describe('tcp workload: printable', () => {
  it('escapes like JSON without the quotes and cuts at 60 characters', () => {
    expect(printable('PUT 7\n')).toBe('PUT 7\\n');
    expect(printable('say "hi"\r\n\0')).toBe('say \\"hi\\"\\r\\n\\u0000');
    expect(printable('é', 'utf8')).toBe('é');
    expect(printable('é', 'latin1')).toBe('\\u00e9');
    const long = printable('x'.repeat(100));
    expect(long).toBe(`${'x'.repeat(60)}…`);
    // An escape is never cut in half.
    expect(printable(`${'x'.repeat(59)}\n`)).toBe(`${'x'.repeat(59)}…`);
  });
});
