// Zoo target (Node, grpc-js): the gRPC service of zoo.proto, and what its SIGTERM handler does with the calls it holds.
//
//   graceful        SIGTERM/SIGINT start one shutdown (later ones are ignored): every open Ticks stream is ended
//                   with status OK, tryShutdown() stops accepting and lets the calls in flight finish (a 5 s cap,
//                   then forceShutdown), exit 0 once done
//   force-shutdown  the handler calls forceShutdown(): calls in flight are cancelled, streams cut mid-way; exit 0
//
// Work answers {id} after ZOO_SLOW_MS; Ticks sends {n} at once and then every 100 ms until the shutdown.
// A SIGTERM/SIGINT during start-up (before the server is built) ends it at once with exit 0: the handlers come
// first, before grpc-js is loaded, which takes seconds on a busy machine. (As PID 1 in a container, a signal with no
// handler yet is ignored: the stop then waited for SIGKILL, 8 of 8 times in a soak at load 30.)
// Environment: PORT (50051), ZOO_MODE (graceful), ZOO_SLOW_MS (300).
import { fileURLToPath } from 'node:url';
import path from 'node:path';

let server; // set once grpc-js is loaded and the service added
let starting; // a shutdown signal that came before that
process.on('SIGTERM', onShutdownSignal);
process.on('SIGINT', onShutdownSignal);

const { default: grpc } = await import('@grpc/grpc-js');
const { default: protoLoader } = await import('@grpc/proto-loader');

const mode = process.env.ZOO_MODE || 'graceful';
const port = Number(process.env.PORT || 50051);
const slowMs = Number(process.env.ZOO_SLOW_MS || 300);

const log = (msg) => process.stderr.write(`${new Date().toISOString()} zoo-grpc: ${msg}\n`);

if (!['graceful', 'force-shutdown'].includes(mode)) {
  log(`unknown ZOO_MODE ${JSON.stringify(mode)} (graceful, force-shutdown)`);
  process.exit(2);
}

const protoPath = path.join(path.dirname(fileURLToPath(import.meta.url)), 'zoo.proto');
const { zoo } = grpc.loadPackageDefinition(protoLoader.loadSync(protoPath));

const streams = new Set(); // functions that end one open Ticks stream with status OK
let shuttingDown = false;

function work(call, callback) {
  const timer = setTimeout(() => callback(null, { id: call.request.id }), slowMs);
  call.on('cancelled', () => clearTimeout(timer));
}

function ticks(call) {
  let n = 0;
  const tick = () => call.write({ n: ++n });
  tick(); // at once, then every 100 ms: a stream cut at any time has begun
  const timer = setInterval(tick, 100);
  const stop = () => {
    clearInterval(timer);
    streams.delete(end);
  };
  const end = () => {
    stop();
    call.end(); // status OK: the stream is over, cleanly
  };
  streams.add(end);
  call.on('cancelled', stop);
  if (shuttingDown) end(); // it came in on a connection being drained: it ends like the others
}

server = new grpc.Server();
server.addService(zoo.Zoo.service, { work, ticks });
if (starting) {
  log(`${starting} received during start-up, exiting before serving`);
  process.exit(0);
}

function onShutdownSignal(sig) {
  if (!server) {
    starting ??= sig;
    return;
  }
  if (shuttingDown) {
    log(`${sig} received during the shutdown, ignored`);
    return;
  }
  shuttingDown = true;
  if (mode === 'force-shutdown') {
    // The bug: the quick way out. forceShutdown() cancels every call in flight and cuts every stream.
    log(`${sig} received, forceShutdown`);
    server.forceShutdown();
    return; // exits 0 once the cancelled calls' timers are cleared
  }
  log(`${sig} received, ending ${streams.size} stream(s) and draining`);
  for (const end of [...streams]) end();
  const cap = setTimeout(() => {
    log('drain took more than 5 s, forceShutdown');
    server.forceShutdown();
  }, 5000);
  server.tryShutdown((error) => {
    clearTimeout(cap);
    log(error ? `tryShutdown: ${error.message}` : 'drained, exiting');
    process.exit(0);
  });
}

server.bindAsync(`0.0.0.0:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) => {
  if (error) {
    log(`bind: ${error.message}`);
    process.exit(1);
  }
  log(`mode=${mode} pid=${process.pid} listening on :${bound}`);
});
