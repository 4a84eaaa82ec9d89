import { connect, type Socket } from 'node:net';
import type { Workload } from '../scenario/types.js';
import { now } from '../time.js';
import { openLoop, type Drive, type Driver } from './drive.js';
import type { Endpoint } from './http-client.js';
import type { ClientConnection, LedgerEntry, Outcome } from './ledger.js';

type TcpStream = Workload['tcp'][number];

/** A reply longer than this without its end is not the protocol the scenario describes. */
const MAX_REPLY_BYTES = 1 << 20;

/** Where a reply ends: after a delimiter (not part of the reply), after so many bytes, or at the server's close. */
type Framing = { delimiter: Buffer } | { length: number } | 'close';

/** A complete reply, and how many bytes came after it. */
interface Reply {
  body: Buffer;
  extra: number;
}

/**
 * TCP request streams: an open loop of requests (`send` text or `send_hex` bytes, {id} filled in), each read until
 * its reply is whole and matched against `expect`. `fresh` opens a connection per request; `keep-alive` keeps up to
 * `concurrency` connections, each carrying one request after another.
 */
export function driveTcp(spec: TcpStream, endpoint: Endpoint, drive: Drive): Driver {
  // Text is UTF-8; hex requests are bytes, so `until` and `expect` then read one character per byte.
  const encoding: BufferEncoding = spec.send !== undefined ? 'utf8' : 'latin1';
  const framing: Framing =
    spec.until === 'close' ? 'close' : typeof spec.until === 'string' ? { delimiter: Buffer.from(spec.until, encoding) } : spec.until;
  const keepAlive = spec.connection === 'keep-alive';
  const idle: Socket[] = [];
  const used = new WeakSet<Socket>();
  const live = new Set<Socket>();

  const request = (id: number): Buffer =>
    spec.send !== undefined ? Buffer.from(spec.send.replaceAll('{id}', String(id)), 'utf8') : Buffer.from(spec.send_hex!, 'hex');

  /** A new connection; as keep-alive, it leaves the pool when it closes. */
  const open = (): Socket => {
    const socket = connect({ host: endpoint.host, port: endpoint.port });
    socket.on('error', () => {}); // read by the operation in hand; an idle connection just closes
    track(socket, drive.connections, drive.originMs);
    live.add(socket);
    socket.once('close', () => {
      live.delete(socket);
      if (idle.includes(socket)) idle.splice(idle.indexOf(socket), 1);
    });
    return socket;
  };

  const operate = (id: number): Promise<LedgerEntry> =>
    new Promise((resolve) => {
      const sentAt = now();
      const bytesOut = request(id);
      const expect = spec.expect === undefined ? undefined : new RegExp(spec.expect.replaceAll('{id}', String(id)));
      const pooled = keepAlive ? idle.pop() : undefined;
      pooled?.off('data', outOfTurn);
      const socket = pooled ?? open();
      const reused = used.has(socket);
      used.add(socket);
      const chunks: Buffer[] = [];
      let received = 0;
      let firstByteAt: number | undefined;
      let settled = false;

      const finish = (outcome: Outcome, error?: string, reusable = false) => {
        if (settled) return;
        settled = true;
        socket.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose).off('timeout', onTimeout);
        drive.ending.removeEventListener('abort', onAbort);
        socket.setTimeout(0);
        if (reusable && keepAlive && !socket.destroyed && socket.readable) {
          socket.on('data', outOfTurn);
          idle.push(socket);
        } else socket.destroy();
        resolve({
          id,
          kind: 'request',
          protocol: 'tcp',
          method: 'TCP',
          path: printable(bytesOut.toString(encoding), encoding),
          connection: keepAlive ? 'keep-alive' : 'fresh',
          reused,
          sentMs: sentAt - drive.originMs,
          ...(firstByteAt !== undefined ? { firstByteMs: firstByteAt - drive.originMs } : {}),
          endMs: now() - drive.originMs,
          outcome,
          bytes: received,
          ...(error ? { error } : {}),
        });
      };
      const judge = ({ body, extra }: Reply) => {
        const text = body.toString(encoding);
        // Bytes after the reply put the connection out of step: it is not reused.
        if (!expect || expect.test(text)) return finish('ok', undefined, extra === 0);
        finish('wrong-reply', `expected /${expect.source}/, got "${printable(text, encoding)}"`, extra === 0);
      };
      const cut = (why: string) =>
        received > 0 ? finish('truncated', `${why} after ${received} reply byte(s)`) : finish('reset', `${why} before any reply byte`);

      function onData(chunk: Buffer) {
        firstByteAt ??= now();
        chunks.push(chunk);
        received += chunk.length;
        const reply = complete(Buffer.concat(chunks), framing);
        if (reply) return judge(reply);
        if (received > MAX_REPLY_BYTES) finish('wrong-reply', `no end of reply within ${MAX_REPLY_BYTES} bytes`);
      }
      function onEnd() {
        if (framing === 'close' && received > 0) return judge({ body: Buffer.concat(chunks), extra: 0 });
        cut('closed by the server');
      }
      function onError(e: NodeJS.ErrnoException) {
        if (e.code === 'ECONNREFUSED') return finish('refused', e.code);
        cut(e.code ?? e.message);
      }
      function onClose() {
        cut('connection closed');
      }
      function onTimeout() {
        finish(received > 0 ? 'truncated' : 'timeout', `no progress for ${spec.timeout} ms`);
      }
      function onAbort() {
        // Still open when the trial was over: indeterminate, never counted as a loss.
        finish('timeout', 'unfinished when the trial ended');
      }

      socket.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose).on('timeout', onTimeout);
      socket.setTimeout(spec.timeout);
      if (drive.ending.aborted) return onAbort();
      drive.ending.addEventListener('abort', onAbort, { once: true });
      socket.write(bytesOut);
    });

  const loop = openLoop(spec.rate, spec.concurrency, drive.stopping, () => drive.launch(operate));
  return { loop, close: () => closeAll(live) };
}

/** Destroys every socket still open and waits until each has closed, so each connection's close time is known. */
async function closeAll(sockets: Set<Socket>): Promise<void> {
  const closed = [...sockets].map((socket) => new Promise((resolve) => socket.once('close', resolve)));
  sockets.forEach((socket) => socket.destroy());
  await Promise.all(closed);
}

/** Bytes from an idle keep-alive connection that nobody asked for: it is out of step, so it goes. */
function outOfTurn(this: Socket) {
  this.destroy();
}

/** The reply at the start of `data` once it is whole (a close-framed reply is whole only at the close). */
function complete(data: Buffer, framing: Framing): Reply | undefined {
  if (framing === 'close') return undefined;
  if ('length' in framing) return data.length >= framing.length ? { body: data.subarray(0, framing.length), extra: data.length - framing.length } : undefined;
  const at = data.indexOf(framing.delimiter);
  return at < 0 ? undefined : { body: data.subarray(0, at), extra: data.length - at - framing.delimiter.length };
}

/**
 * Text for people: escaped as in JSON without the quotes (a newline shows as \n), bytes of a hex request beyond
 * ASCII as \u00XX, cut to `max` characters.
 */
export function printable(text: string, encoding: BufferEncoding = 'utf8', max = 60): string {
  let out = '';
  for (const ch of text) {
    const escaped = encoding === 'latin1' && ch > '~' ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}` : JSON.stringify(ch).slice(1, -1);
    if (out.length + escaped.length > max) return `${out}…`;
    out += escaped;
  }
  return out;
}

/** Logs when a connection is established and when it closes (a refused connect is never logged). */
function track(socket: Socket, connections: ClientConnection[], originMs: number): void {
  socket.once('connect', () => {
    const connection: ClientConnection = { openMs: now() - originMs };
    connections.push(connection);
    socket.once('close', () => (connection.closeMs = now() - originMs));
  });
}
