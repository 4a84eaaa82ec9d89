// A client of the zoo's TCP line server, as a user would write one for sigstorm's `exec` workload (no dependencies).
//
//   node client.mjs <host> <port> [rate]        (rate: operations per second, default $RATE or 20)
//
// An open loop: every 1/rate s, a fresh connection sends "PUT <id>\n" and waits for "OK <id>\n". Each operation,
// once ended, is printed as one JSON line on stdout (logs go to stderr):
//   {"id":3,"op":"PUT 3","start":…,"end":…,"first_byte_ms":301.2,"outcome":"ok","bytes":5}
// On SIGTERM it starts nothing more, prints what is still in flight as timed out (unfinished, never a loss) and exits.
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';

const [host, port, rateArg] = process.argv.slice(2);
const rate = Number(rateArg ?? process.env.RATE ?? 20);
if (!host || !Number.isInteger(Number(port)) || !(rate > 0)) {
  process.stderr.write('usage: node client.mjs <host> <port> [rate]\n');
  process.exit(2);
}
const TIMEOUT_MS = 10_000;

// Unix epoch ms with a fraction, on a clock that never steps back.
const epochMs = () => performance.timeOrigin + performance.now();
const inFlight = new Map();

function put(id) {
  const start = epochMs();
  let reply = '';
  let firstByte;
  const socket = connect({ host, port: Number(port) });
  const finish = (outcome, error) => {
    if (!inFlight.delete(id)) return;
    socket.destroy();
    const line = { id, op: `PUT ${id}`, start, end: epochMs(), outcome, bytes: Buffer.byteLength(reply) };
    if (firstByte !== undefined) line.first_byte_ms = firstByte - start;
    if (error) line.error = error;
    process.stdout.write(`${JSON.stringify(line)}\n`);
  };
  inFlight.set(id, finish);
  socket.setNoDelay(true);
  socket.setTimeout(TIMEOUT_MS, () => finish(firstByte === undefined ? 'timeout' : 'truncated', `no reply for ${TIMEOUT_MS} ms`));
  socket.on('connect', () => socket.write(`PUT ${id}\n`));
  socket.on('data', (chunk) => {
    firstByte ??= epochMs();
    reply += chunk;
    const end = reply.indexOf('\n');
    if (end < 0) return;
    const answer = reply.slice(0, end);
    finish(answer === `OK ${id}` ? 'ok' : 'wrong-reply', answer === `OK ${id}` ? undefined : `replied ${JSON.stringify(answer)}`);
  });
  // Closed before a whole reply: unanswered (reset), or cut in the middle of one (truncated).
  socket.on('end', () => finish(firstByte === undefined ? 'reset' : 'truncated', 'closed by the server before a whole reply'));
  socket.on('error', (e) => {
    if (e.code === 'ECONNREFUSED') return finish('refused', e.code);
    if (e.code === 'ETIMEDOUT') return finish('timeout', e.code);
    finish(firstByte === undefined ? 'reset' : 'truncated', e.code ?? e.message);
  });
  socket.on('close', () => finish(firstByte === undefined ? 'reset' : 'truncated', 'connection closed'));
}

// Open loop from one origin: a slow reply never delays the next request.
const origin = performance.now();
let next = 0;
let timer;
(function tick() {
  put(next++);
  timer = setTimeout(tick, Math.max(0, origin + (next * 1000) / rate - performance.now()));
})();

process.on('SIGTERM', () => {
  clearTimeout(timer);
  for (const finish of [...inFlight.values()]) finish('timeout', 'unfinished when the client was stopped');
  process.exit(0);
});
