import type { Workload } from '../scenario/types.js';
import { now } from '../time.js';
import { openLoop, type Drive, type Driver } from './drive.js';
import type { Endpoint } from './http-client.js';
import type { LedgerEntry } from './ledger.js';
import { TcpConnections } from './tcp-connections.js';
import { TcpExchange, type TcpWire } from './tcp-exchange.js';

export { printable } from './tcp-reply.js';

type TcpStream = Workload['tcp'][number];

/**
 * TCP request streams: an open loop of requests (`send` text or `send_hex` bytes, {id} filled in), each read until
 * its reply is whole and matched against `expect`. `fresh` opens a connection per request; `keep-alive` keeps up to
 * `concurrency` connections, each carrying one request after another.
 */
export function driveTcp(spec: TcpStream, endpoint: Endpoint, drive: Drive): Driver {
  const wire = tcpWire(spec);
  const pool = new TcpConnections(endpoint, drive, spec.connection === 'keep-alive');
  const operate = (id: number): Promise<LedgerEntry> =>
    new Promise((settle) => {
      const request = { id, sentAt: now(), bytes: requestBytes(spec, id), expect: expected(spec, id) };
      new TcpExchange(request, pool.take(), wire, pool, drive, settle).start();
    });
  const loop = openLoop(spec.rate, spec.concurrency, drive.stopping, () => drive.launch(operate));
  return { loop, close: () => pool.closeAll() };
}

function tcpWire(spec: TcpStream): TcpWire {
  // Text is UTF-8; hex requests are bytes, so `until` and `expect` then read one character per byte.
  const encoding: BufferEncoding = spec.send !== undefined ? 'utf8' : 'latin1';
  const framing =
    spec.until === 'close' ? 'close' : typeof spec.until === 'string' ? { delimiter: Buffer.from(spec.until, encoding) } : spec.until;
  return { encoding, framing, timeout: spec.timeout };
}

const requestBytes = (spec: TcpStream, id: number): Buffer =>
  spec.send !== undefined ? Buffer.from(spec.send.replaceAll('{id}', String(id)), 'utf8') : Buffer.from(spec.send_hex!, 'hex');

const expected = (spec: TcpStream, id: number): RegExp | undefined =>
  spec.expect === undefined ? undefined : new RegExp(spec.expect.replaceAll('{id}', String(id)));
