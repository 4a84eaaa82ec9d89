// Zoo target (Node): the Go service's endpoints on plain node:http, with Node's own shutdown bug patterns.
// "graceful" is the correct service; each other mode is graceful with one thing broken.
//
//   graceful          SIGTERM/SIGINT start one drain (later ones are ignored): open streams say "bye", the server
//                     stops accepting, in-flight requests finish (5 s cap), idle keep-alive connections are closed,
//                     buffered writes are flushed and fsynced, exit 0.
//   exit-at-once      the handler calls process.exit(0): in-flight requests and buffered writes are dropped
//   throw-in-handler  the handler reads a file that is not there and throws: uncaught exception, stack trace, exit 1
//   keepalive-hang    the handler only calls server.close() and waits for it: keep-alive connections that are busy
//                     at that moment stay open, Node keeps answering the requests that follow on them (without
//                     `Connection: close`), so close() never completes while clients keep sending; SIGKILL at the
//                     deadline. The graceful mode is its twin (`Connection: close` once draining, closeIdleConnections).
//   commit-unguarded  a rare window tied to a request's phase: POST /order reserves, then commits (appends to
//                     $DATA_DIR/orders.log and checksums it, synchronously, ZOO_COMMIT_MS: 3) and answers; around the commit
//                     it takes the shutdown listeners off "so a drain cannot start half-way", and with no listener Node
//                     gives SIGTERM back its default action: a TERM in those 3 ms kills the process at once (143; ignored
//                     as container PID 1, so SIGKILL at the deadline). At one order a second that is about 0.3% of the
//                     time. A TERM that came just before, still waiting for a busy event loop, is lost with the listener's
//                     handle (no drain, SIGKILL at the deadline): a few more ms right after start-up. The graceful mode is its twin: the same two steps with the listeners left on (a TERM during
//                     the commit is taken once it is done, and the drain waits for the order's response like any other).
//
// Environment: PORT (8080), ZOO_MODE (graceful), DATA_DIR (/tmp), ZOO_SLOW_MS (500), ZOO_COMMIT_MS (3), and for the
// zoo matrix only, to put the window at a known instant: the first order started ZOO_WINDOW_AT_MS or more after
// listening waits ZOO_WINDOW_MS (asynchronously) before its commit, with the listeners off.
// Endpoints: GET /healthz, GET /slow (ZOO_SLOW_MS, then "done"), GET /stream (chunked "tick" every 100 ms),
// POST /write?id=N (appends "N" to $DATA_DIR/writes.log through a buffer flushed every second, acks first),
// POST /order (reserve, commit to $DATA_DIR/orders.log, then "ordered N").
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const mode = process.env.ZOO_MODE || 'graceful';
const port = Number(process.env.PORT || 8080);
const dataDir = process.env.DATA_DIR || '/tmp';
const slowMs = Number(process.env.ZOO_SLOW_MS || 500);
const commitMs = Number(process.env.ZOO_COMMIT_MS || 3);
const windowAtMs = process.env.ZOO_WINDOW_AT_MS === undefined ? undefined : Number(process.env.ZOO_WINDOW_AT_MS);
const windowMs = Number(process.env.ZOO_WINDOW_MS || commitMs);

const log = (msg) => process.stderr.write(`${new Date().toISOString()} zoo-node: ${msg}\n`);

if (!['graceful', 'exit-at-once', 'throw-in-handler', 'keepalive-hang', 'commit-unguarded'].includes(mode)) {
  log(`unknown ZOO_MODE ${JSON.stringify(mode)}`);
  process.exit(2);
}

// ---- buffered write log: acknowledged once buffered, on disk within a second ----

fs.mkdirSync(dataDir, { recursive: true }); // a FROM scratch image has no /tmp
const writesFd = fs.openSync(path.join(dataDir, 'writes.log'), 'a');
let pending = [];
const flushWrites = () => {
  if (pending.length === 0) return;
  fs.writeSync(writesFd, pending.join(''));
  pending = [];
};
const flusher = setInterval(flushWrites, 1000);

// ---- endpoints ----

const streams = new Set(); // functions that end one open stream with "bye"
const inFlight = new Set(); // responses not yet finished
let shuttingDown = false;
let closing = false; // keepalive-hang: server.close() called, nothing else done
let requests = 0;

function handle(req, res) {
  const url = new URL(req.url, 'http://zoo');
  if (url.pathname === '/healthz') return text(res, 200, 'ok\n');
  if (url.pathname === '/slow') return setTimeout(() => text(res, 200, 'done\n'), slowMs);
  if (url.pathname === '/stream') return stream(req, res);
  if (url.pathname === '/write') return write(req, res, url.searchParams.get('id'));
  if (url.pathname === '/order') return order(req, res);
  text(res, 404, 'not found\n');
}

function text(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function stream(req, res) {
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }); // no length: chunked
  res.write('tick\n');
  const timer = setInterval(() => res.write('tick\n'), 100);
  const bye = () => {
    stop();
    res.end('bye\n');
  };
  const stop = () => {
    clearInterval(timer);
    streams.delete(bye);
  };
  streams.add(bye);
  res.on('close', stop); // the client went away
}

function write(req, res, id) {
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    return text(res, 405, 'POST only\n');
  }
  if (!/^\d+$/.test(id ?? '')) return text(res, 400, 'id must be a number\n');
  pending.push(`${id}\n`);
  text(res, 200, 'ack\n');
}

// ---- orders: two steps, reserve then commit ----

let orders = 0;
let journalFd; // orders.log, opened at the first order
let listeningAt;
let windowPlaced = false;

function order(req, res) {
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    return text(res, 405, 'POST only\n');
  }
  const id = ++orders; // step 1: reserve
  journalFd ??= fs.openSync(path.join(dataDir, 'orders.log'), 'a');
  if (mode === 'commit-unguarded') {
    // The bug: shutdown held off during the commit by taking its listeners off. With none left, Node restores
    // SIGTERM's default action, so a TERM while the order commits kills the process there and then.
    process.removeListener('SIGTERM', onShutdownSignal);
    process.removeListener('SIGINT', onShutdownSignal);
  }
  const step2 = () => {
    commit(id);
    if (mode === 'commit-unguarded') {
      process.on('SIGTERM', onShutdownSignal);
      process.on('SIGINT', onShutdownSignal);
    }
    text(res, 200, `ordered ${id}\n`);
  };
  // The matrix's placement: this order waits ZOO_WINDOW_MS before its commit, without blocking the event loop.
  if (windowAtMs !== undefined && !windowPlaced && performance.now() - listeningAt >= windowAtMs) {
    windowPlaced = true;
    return setTimeout(step2, windowMs);
  }
  step2();
}

// Step 2: the order appended to its journal and its checksum computed, synchronously: ZOO_COMMIT_MS, so the window is
// as long whatever the event loop's lag (an fsync here took 1-30 ms at random on a busy disk).
function commit(id) {
  const until = performance.now() + commitMs;
  fs.writeSync(journalFd, `${id}\n`);
  while (performance.now() < until); // the checksum
}

const server = http.createServer((req, res) => {
  requests++;
  inFlight.add(res);
  if (shuttingDown) res.setHeader('Connection', 'close');
  res.on('close', () => {
    inFlight.delete(res);
    if (shuttingDown && inFlight.size === 0) setImmediate(() => server.closeIdleConnections());
  });
  handle(req, res);
});

// ---- shutdown ----

function onShutdownSignal(sig) {
  if (mode === 'exit-at-once') {
    // The bug: "exit on SIGTERM" taken literally. process.exit does not wait for sockets or timers,
    // so in-flight requests are cut and buffered writes are dropped.
    log(`${sig} received, exiting`);
    process.exit(0);
  }
  if (shuttingDown || closing) {
    log(`${sig} received during the drain, ignored`);
    return;
  }
  if (mode === 'keepalive-hang') {
    // The bug: the textbook handler. close() stops accepting and closes the connections idle right now; one that
    // is busy gets its next request answered as usual, and the next, so `finish` never runs while clients send.
    log(`${sig} received, closing the server`);
    closing = true;
    for (const bye of [...streams]) bye();
    server.close(finish);
    return;
  }
  log(`${sig} received, draining`);
  const budget = drainBudgetMs();
  shuttingDown = true;
  for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close'); // no reuse after this
  for (const bye of [...streams]) bye();
  server.close(finish); // stop accepting; finish runs once every connection has ended
  server.closeIdleConnections(); // keep-alive connections with no request; busy ones close when their response ends
  setTimeout(() => {
    log(`drain budget of ${budget} ms exceeded, closing ${inFlight.size} in-flight request(s)`);
    server.closeAllConnections();
  }, budget).unref();
}

// How long the drain may take: $DATA_DIR/drain-ms if that file exists, else 5000.
function drainBudgetMs() {
  const file = path.join(dataDir, 'drain-ms');
  if (mode === 'throw-in-handler') {
    // The bug: the file is assumed to exist. The ENOENT escapes the signal listener as an uncaught
    // exception: Node prints the stack and exits 1 before anything is drained.
    return Number(fs.readFileSync(file, 'utf8'));
  }
  try {
    return Number(fs.readFileSync(file, 'utf8')) || 5000;
  } catch {
    return 5000;
  }
}

function finish() {
  clearInterval(flusher);
  flushWrites();
  fs.fsyncSync(writesFd);
  fs.closeSync(writesFd);
  log(`drained (${requests} requests served), exiting`);
  process.exit(0);
}

process.on('SIGTERM', onShutdownSignal);
process.on('SIGINT', onShutdownSignal);

server.listen(port, () => {
  listeningAt = performance.now();
  log(`mode=${mode} pid=${process.pid} listening on :${port}`);
});
