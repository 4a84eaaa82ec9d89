import type { StopModelDef } from '../stop-models/model.js';
import { stopModels } from '../stop-models/registry.js';
import { FORCE_EXIT_DECLARATION, secondSignalPolicy } from '../scenario/second-signal.js';
import { ordinalName } from './attribution.js';
import { hung, saidAfterSignal, type Clues } from './clues.js';
import type { ByRuntime, Entry, Text } from './entry.js';
import type { Runtime } from './runtime.js';
import { ROLLOUT } from './rollout-diagnoses.js';
import { fastStop, fastStopCause, fastStopFix, fastStopSource, SERVER_FIRST, SERVER_LAST } from './server-diagnoses.js';
import { factsFor } from './server.js';
import { endedByDefault } from './terminating.js';
import { sampleDoneMs } from '../trial/record.js';
import type { OracleResult } from './verdict.js';

export type { ByRuntime, Entry, Text } from './entry.js';

/** The sentence for a runtime, and which runtime it was written for (`unknown`: the neutral one; absent: the only one). */
export function textFor(t: Text | ByRuntime, runtime: Runtime): { text: Text; runtime?: Runtime } {
  if (typeof t === 'string' || typeof t === 'function') return { text: t };
  const own = runtime === 'unknown' ? undefined : t[runtime];
  return own !== undefined ? { text: own, runtime } : { text: t.neutral, runtime: 'unknown' };
}

/** The runtimes an entry has words of their own for (none: its text is the same for every runtime). */
export const runtimesOf = (e: Pick<Entry, 'cause' | 'fix'>): Runtime[] =>
  [...new Set([e.cause, e.fix].flatMap((t) => (typeof t === 'object' ? (Object.keys(t) as (Runtime | 'neutral')[]) : [])))].filter(
    (k): k is Runtime => k !== 'neutral',
  );

const HANG = ['deadline/*', 'exit-status/killed'];
const LOST = ['lost-requests/in-flight-lost', 'lost-requests/truncated'];
/** How a stop during start-up should end, in every runtime's words alike. */
const ABANDON = 'and let a stop during start-up abandon it cleanly (remove the lock, discard partial state, exit 0).';
/** 'TERM' for SIGTERM: the name Ruby's Signal.trap and a shell's trap take. */
const bare = (signal: string) => signal.replace(/^SIG/, '');

/**
 * "At once" after a signal, as a busy machine measures it: a process that leaves without draining is gone in a few ms
 * on a quiet machine and took 65 ms under two busy loops; drain deadlines people set are seconds.
 */
const AT_ONCE_MS = 200;
const exitedWithin = (c: Clues, ms: number) => c.exitAfterSignalMs !== undefined && c.exitAfterSignalMs >= 0 && c.exitAfterSignalMs <= ms && !c.record.exit.forcedKill;
const lostBy = (c: Clues, p: (e: Clues['lostInFlight'][number]) => boolean) => c.lostInFlight.length > 0 && c.lostInFlight.some(p);
/**
 * The main process ended before a lost request was due: sooner after its send than the target took to answer that
 * path before the signal (the median of those answered). A busy machine slows the answers and the exit alike, where a
 * fixed number of ms does not (a return-on-close exit came 65 ms after the signal once in CI).
 */
const exitedBeforeDue = (c: Clues, lost: Clues['lostInFlight'][number]) => {
  const before = c.first?.deliveredMs ?? Number.NEGATIVE_INFINITY;
  const took = c.record.ledger.filter((e) => e.path === lost.path && e.outcome === 'ok' && e.endMs < before).map((e) => e.endMs - e.sentMs);
  return took.length > 0 && c.record.exit.atMs < lost.sentMs + median(took);
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
/** Children of the main process in the last sample before the first terminating signal: a pre-forking server's workers. */
const workersAtSignal = (c: Clues) => {
  const at = c.first?.deliveredMs ?? Number.NEGATIVE_INFINITY;
  const last = c.record.samples.filter((s) => sampleDoneMs(s) <= at).at(-1);
  return last?.processes.filter((p) => p.ppid === c.record.target.pid && p.pid !== c.record.target.pid).length ?? 0;
};
/** The signal whose default action ended the process: the last one delivered within 1 s before the exit. */
const killerOf = (c: Clues) => c.deliveries.filter((d) => d.deliveredMs <= c.record.exit.atMs && c.record.exit.atMs - d.deliveredMs <= 1000).at(-1);
const endedBy = (c: Clues) => {
  const k = killerOf(c);
  if (!k || c.crash || c.record.exit.forcedKill) return undefined;
  return endedByDefault(c.record, k) ? k.signal : undefined;
};

/**
 * The exit came right after a later terminating signal than the first, by the process itself, without a crash: at
 * most 100 ms after it (a "stop now" acts at once, a drain that merely happened to end then does not), or, with a
 * status the first signal does not allow, within the second-signal window (on a busy machine "at once" can be 120 ms).
 */
const forcedByLater = (c: Clues) => {
  const later = c.endedByLater;
  if (!later || c.crash || hung(c) || c.record.expect[later.last.signal]?.kind !== 'exit') return undefined;
  const within = secondSignalPolicy(c.record.oracles).within;
  const first = c.first && c.record.expect[c.first.signal];
  const wrongStatus = first?.kind === 'exit' && !first.exit.includes(c.record.exit.status);
  return later.gapMs <= Math.min(100, within) || (wrongStatus && later.gapMs <= within) ? later : undefined;
};

/** The entries any trial may match, after the stop models' own. */
const GENERAL: Entry[] = [
  {
    id: 'shell-no-exec',
    reads: 'the main process is a shell (sh, bash, …) whose child is the service',
    explains: [...HANG, 'exit-status/wrong-status', 'handles/orphans'],
    confidence: 'high',
    when: (c) => c.shellParent,
    cause: (c) => `The entrypoint's shell (${c.mainComm}) runs the service as its child and does not pass signals on to it.`,
    fix: 'Start the service with exec in the entrypoint script (exec "$@"), or run it under an init that forwards signals (init: true, tini).',
  },
  {
    id: 'shutdown-runs-twice',
    reads: 'exit 2 with a Go panic "close of closed channel" after a second terminating signal',
    explains: ['second-signal/*', 'exit-status/*', ...LOST, 'acked-writes/*'],
    confidence: 'high',
    when: (c) => c.crash?.kind === 'go-panic' && /close of closed channel/.test(c.crash.description) && c.laterTerminating.length > 0,
    cause: 'The shutdown path runs again on the second signal and closes an already closed channel, which panics.',
    fix: 'Guard the shutdown with sync.Once (or select on the channel before closing it), so a second signal is ignored or forces an exit on purpose.',
  },
  {
    id: 'panic-in-shutdown',
    reads: 'a Go panic or fatal error (exit 2) after the first terminating signal',
    explains: ['second-signal/*', 'exit-status/*', ...LOST, 'acked-writes/*'],
    confidence: 'medium',
    when: (c) => (c.crash?.kind === 'go-panic' || c.crash?.kind === 'go-fatal') && c.first !== undefined,
    cause: (c) => `The shutdown path crashes: ${c.crash!.description}.`,
    fix: 'Fix the crash in the shutdown path (its stack trace is in the log); drive it with the same signals in a test.',
  },
  {
    id: 'handler-throws',
    reads: 'exit 1 with a Node stack trace after the signal',
    explains: ['exit-status/*', ...LOST, 'acked-writes/*'],
    confidence: 'high',
    when: (c) => c.crash?.kind === 'node-uncaught' && c.first !== undefined,
    cause: 'The signal handler throws, and the uncaught exception ends the process with status 1 before the drain.',
    fix: 'Catch errors inside the handler (try/finally around the shutdown) and exit only once server.close() has called back.',
  },
  {
    id: 'handlers-after-init',
    reads: 'killed by the default action of a signal delivered during start-up (before readiness), files left behind',
    explains: ['exit-status/*', 'handles/files-left'],
    confidence: 'high',
    when: (c) => c.record.exitedInStartup === true && endedBy(c) !== undefined,
    cause: (c) =>
      `${endedBy(c)} arrived during start-up, before the service had installed its signal handling: the default action killed it mid-initialisation, leaving what it had half done.`,
    fix: {
      neutral: `Install signal handling first, before any slow initialisation, ${ABANDON}`,
      go: `Call signal.Notify first thing in main, before any slow initialisation, ${ABANDON}`,
      python: `Install the handlers (signal.signal) first thing, before any slow initialisation or import that takes time, ${ABANDON}`,
      node: `Register the listeners (process.on('SIGTERM', …)) first thing, before any slow initialisation, ${ABANDON}`,
      ruby: `Trap the signals (Signal.trap) first thing, before any slow initialisation, ${ABANDON}`,
    },
  },
  ...SERVER_FIRST,
  {
    id: 'signal-default-action',
    reads: 'an exit with 128+n (or 2 for Go as PID 1, nothing printed) within 1 s of signal n',
    explains: ['exit-status/wrong-status', 'exit-status/unexpected-exit', 'alive/died', ...LOST, 'acked-writes/*'],
    confidence: 'high',
    // a catalogued server that documents handling the signal (Puma re-raises TERM after its graceful stop) is not this
    when: (c) => endedBy(c) !== undefined && factsFor(c.server, endedBy(c)!).every((f) => f.meaning === 'immediate-stop'),
    cause: {
      neutral: (c) => `Nothing handles ${endedBy(c)}, so its default action ended the process at once, without a drain.`,
      jvm: (c) => `The JVM ends on ${endedBy(c)} (it runs its shutdown hooks, then exits with ${c.record.exit.status}), and no shutdown hook waited for the work in flight.`,
    },
    fix: {
      neutral: (c) => (endedBy(c) === 'SIGHUP' ? 'Handle SIGHUP and reload there, or have the supervisor not send it.' : `Handle ${endedBy(c)} and start a graceful shutdown from it, for as long as the service runs.`),
      go: (c) =>
        endedBy(c) === 'SIGHUP'
          ? 'Handle SIGHUP (signal.Notify(ch, syscall.SIGHUP)) and reload there, or have the supervisor not send it.'
          : `Handle ${endedBy(c)} as well (signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT)): orchestrators stop services with SIGTERM, not SIGINT.`,
      python: (c) =>
        endedBy(c) === 'SIGHUP'
          ? 'Install a handler for SIGHUP (signal.signal(signal.SIGHUP, handler)) and reload there, or have the supervisor not send it.'
          : `Install a handler for ${endedBy(c)} (signal.signal(signal.${endedBy(c)}, handler)) that starts the shutdown, and never put it back to SIG_DFL while the service runs: Python handles only SIGINT by itself.`,
      node: (c) =>
        endedBy(c) === 'SIGHUP'
          ? "Listen for SIGHUP (process.on('SIGHUP', …)) and reload there, or have the supervisor not send it."
          : `Listen for ${endedBy(c)} (process.on('${endedBy(c)}', …)) and start the shutdown there (server.close()), and keep the listener for as long as the service runs.`,
      jvm: 'Stop the server gracefully in a shutdown hook (Runtime.getRuntime().addShutdownHook) that waits for the requests in flight; with Spring Boot, set server.shutdown=graceful and spring.lifecycle.timeout-per-shutdown-phase.',
      ruby: (c) =>
        `Trap ${endedBy(c)} (Signal.trap('${bare(endedBy(c)!)}') { … }) and let the main loop ${endedBy(c) === 'SIGHUP' ? 'reload' : 'stop the server and join its threads'} when the trap's flag is set; Puma and Sidekiq trap TERM themselves when they run the process.`,
      dotnet: (c) => `Handle ${endedBy(c)} (PosixSignalRegistration.Create, or the generic host's IHostApplicationLifetime.ApplicationStopping) and stop the server gracefully there.`,
      shell: (c) => `Trap ${endedBy(c)} in the script (trap '…' ${bare(endedBy(c)!)}) and stop the service from there, or exec the service so it gets the signal itself.`,
      native: (c) => `Install a handler for ${endedBy(c)} (sigaction) that starts the drain, or stop the server with its graceful-stop signal (stop_signal).`,
    },
  },
  {
    id: 'second-signal-forced',
    reads: 'an exit within 100 ms of a later terminating signal than the first (a second SIGINT), by the process itself, no crash',
    explains: ['second-signal/not-ignored', 'exit-status/wrong-status', ...LOST, 'acked-writes/*'],
    confidence: 'high',
    when: (c) => forcedByLater(c) !== undefined,
    cause: (c) => {
      const later = forcedByLater(c)!;
      return `A repeated stop signal means "stop now" to this service: ${ordinalName(later)} ended it ${Math.round(later.gapMs)} ms later with status ${c.record.exit.status}, cutting short the drain ${c.first!.signal} had begun.`;
    },
    fix: (c) =>
      `If a repeated ${forcedByLater(c)!.last.signal} is meant to force the stop (lighttpd, many CLIs), declare it: ${FORCE_EXIT_DECLARATION}. ` +
      'Otherwise let the shutdown ignore stop signals once the drain runs: production sends them twice (process-group kills, docker stop then docker kill -s).',
  },
  {
    id: 'second-signal-not-forced',
    reads: 'under a declared force-exit, the target still there after a second terminating signal',
    explains: ['second-signal/not-forced'],
    confidence: 'high',
    when: (c) => c.laterTerminating.length > 0 && !c.crash,
    cause: (c) => `The shutdown takes no notice of a repeated ${c.laterTerminating[0]!.signal}: the drain goes on, while the scenario declares that a second signal forces the stop (force-exit).`,
    fix: 'Exit promptly on a repeated stop signal (an operator\'s "stop now"), or, if the drain must go on, drop the force-exit declaration: ignore is the default.',
  },
  {
    id: 'stream-holds-drain',
    reads: 'a hang until SIGKILL while streams sent before the signal were still open at the kill',
    explains: [...HANG, ...LOST],
    confidence: 'high',
    when: (c) => hung(c) && c.record.ledger.some((e) => e.kind === 'stream' && c.first !== undefined && e.sentMs < c.first.deliveredMs && e.endMs >= (c.record.exit.killedAtMs ?? c.record.exit.atMs) - 50),
    cause: 'The drain waits for long-lived streams that never end: nothing tells them to stop, and the shutdown has no deadline.',
    fix: {
      neutral: 'Tell open streams to end on shutdown, and give the drain a deadline after which the remaining connections are closed.',
      go: 'Tell open streams to end on shutdown (srv.RegisterOnShutdown, a quit channel) and give Shutdown a context with a deadline.',
      node: 'Tell open streams to end on shutdown (keep the open responses and call res.end() on each), and after a deadline call server.closeAllConnections().',
      python: 'Have streaming handlers watch a shutdown flag (a threading.Event) and return when it is set, and give the drain a deadline after which the process exits anyway.',
    },
  },
  {
    id: 'keepalive-holds-close',
    reads: 'a hang until SIGKILL while requests on reused keep-alive connections were still answered after the signal and no fresh one was once it had turned one away',
    explains: [...HANG, ...LOST],
    confidence: 'high',
    when: (c) => hung(c) && c.servedAfterSignal.reused > 0 && c.servedAfterSignal.fresh === 0,
    cause: {
      neutral: 'Keep-alive clients that keep sending keep the drain from ever ending: it waits for their connections to go idle, and they never do.',
      node: 'Keep-alive clients that keep sending keep server.close() from ever completing: it waits for their connections to go idle.',
      python: 'Keep-alive clients that keep sending hold their handler threads: over HTTP/1.1 each handler loops on its connection, so a drain that joins them never ends.',
    },
    fix: {
      neutral: 'Once draining, answer with Connection: close and close idle keep-alive connections, then every connection left after a deadline.',
      node: 'Once draining, answer with Connection: close and call server.closeIdleConnections() (closeAllConnections() after a deadline).',
      python: 'Once draining, answer with Connection: close (set self.close_connection = True in the handler), and give the drain a deadline.',
    },
  },
  {
    id: 'signal-channel-full',
    reads: 'a hang until SIGKILL after a terminating signal that came while the handler of an earlier survivable signal (a reload) was running',
    explains: HANG,
    confidence: 'medium',
    when: (c) =>
      hung(c) &&
      c.first !== undefined &&
      c.deliveries.some((d) => d.deliveredMs < c.first!.deliveredMs && c.first!.deliveredMs - d.deliveredMs < 5000 && c.record.expect[d.signal]?.kind === 'alive') &&
      !saidAfterSignal(c, /\b(terminated|interrupt|SIGTERM|SIGINT)\b/i),
    cause: {
      neutral: (c) => `The ${c.first!.signal} that came during the slow handler of an earlier signal (a reload) was lost: the signal handling was busy and never took it.`,
      go: (c) => `The signal channel fills while a reload runs: the ${c.first!.signal} that came during the slow handler of an earlier signal was dropped.`,
    },
    fix: {
      neutral: 'Run slow handlers such as a reload off the signal-handling path, so that a stop signal coming meanwhile is still acted on.',
      go: 'Buffer the signal channel (make(chan os.Signal, 1) or more) and run slow handlers such as a reload off the signal loop.',
    },
  },
  {
    id: 'retry-without-deadline',
    reads: 'a hang until SIGKILL in a trial where a dependency was cut off or signalled',
    explains: HANG,
    confidence: 'medium',
    when: (c) => hung(c) && c.hasDependencies && (c.cut || c.record.events.some((e) => 'service' in e && e.service !== undefined)),
    cause: 'The shutdown waits on a dependency it cannot reach: a retry loop without a deadline outlives the grace period.',
    fix: {
      neutral: 'Bound every retry in the shutdown path by a deadline under the grace period, and give up on the dependency when it expires.',
      go: "Bound every retry in the shutdown path by the shutdown's context, and give up on the dependency when it expires.",
    },
  },
  {
    id: 'signal-ignored',
    reads: 'a hang until SIGKILL with nothing printed after the signal',
    explains: HANG,
    confidence: 'medium',
    when: (c) => hung(c) && c.first !== undefined && c.logsAfterSignal.length === 0 && !c.shellParent,
    cause: {
      neutral: (c) => `${c.first!.signal} is caught but nothing acts on it: the target printed nothing and kept running (a handler that only sets a flag nobody reads).`,
      go: (c) => `${c.first!.signal} is caught but nothing acts on it: the target printed nothing and kept running (a signal.Notify channel nobody reads).`,
      python: (c) =>
        `${c.first!.signal} is caught but nothing acts on it: the target printed nothing and kept running (a signal.signal(signal.${c.first!.signal}, handler) whose handler only sets a flag nobody reads).`,
      node: (c) => `${c.first!.signal} is caught but nothing acts on it: the target printed nothing and kept running (a process.on('${c.first!.signal}') listener that does not start the shutdown).`,
      ruby: (c) => `${c.first!.signal} is caught but nothing acts on it: the target printed nothing and kept running (a Signal.trap('${bare(c.first!.signal)}') whose flag nobody reads).`,
      jvm: (c) => `${c.first!.signal} began the JVM's shutdown, but a shutdown hook never returns (it waits on something that does not end), so the process hangs without a word.`,
    },
    fix: {
      neutral: 'Start the shutdown from the signal handler (or from the loop that reads its flag), or do not catch the signal at all.',
      go: 'Receive from the signal channel and start the shutdown there, or do not register the signal at all.',
      python:
        'Start the shutdown where the flag is read (the main loop), or call server.shutdown() from another thread: called in a handler on the thread that runs serve_forever(), it waits forever.',
      node: "Start the shutdown in the listener (server.close(), and exit in its callback), or remove the listener so the signal's default action stops the process.",
      ruby: 'Have the main loop read the flag (or a self-pipe the trap writes to) and stop the server, or do not trap the signal at all.',
      jvm: 'Make every shutdown hook return within the grace period (bound its waits with timeouts), and never call System.exit from a hook or wait there on a thread that does.',
    },
  },
  {
    id: 'shutdown-deadline-short',
    reads: '"context deadline exceeded" printed between the signal and the exit, with requests lost',
    explains: LOST,
    confidence: 'high',
    when: (c) => saidAfterSignal(c, /context deadline exceeded/),
    cause: "The shutdown deadline is shorter than the slowest request: when it expires the drain is declared over and the requests still running are cut.",
    fix: "Give Shutdown a deadline above the slowest request (and below the orchestrator's grace period).",
  },
  {
    id: 'grpc-force-shutdown',
    reads: 'gRPC calls in flight at the signal ended CANCELLED/UNAVAILABLE or streams cut mid-way',
    explains: LOST,
    confidence: 'high',
    when: (c) => lostBy(c, (e) => e.protocol === 'grpc'),
    cause: {
      neutral: 'The gRPC server is stopped forcefully at the signal, which cancels the calls in flight and cuts streams instead of ending them.',
      node: 'The signal handler calls forceShutdown(), which cancels the calls in flight and cuts streams instead of ending them.',
      go: 'The signal handler calls grpcServer.Stop(), which cancels the calls in flight and cuts streams instead of ending them.',
      python: 'The server is stopped without a grace period (server.stop(None) or stop(0)), which cancels the calls in flight and cuts streams.',
      jvm: 'The signal handler calls server.shutdownNow(), which cancels the calls in flight and cuts streams instead of ending them.',
    },
    fix: {
      neutral: "Stop the gRPC server gracefully (its graceful stop lets calls in flight finish), end streams with OK, and force the stop only once a deadline has passed.",
      node: 'Call tryShutdown() and end streams with OK; keep forceShutdown() for when a deadline has passed.',
      go: 'Call GracefulStop() and end streams with OK; keep Stop() for when a deadline has passed.',
      python: 'Call server.stop(grace) with a grace above the slowest call, and wait on the event it returns before exiting.',
      jvm: 'Call server.shutdown() and then awaitTermination(timeout); keep shutdownNow() for when that timeout has passed.',
    },
  },
  {
    id: 'tcp-close-at-once',
    reads: 'TCP requests sent before the signal reset without a reply, the process exiting soon after',
    explains: LOST,
    confidence: 'high',
    when: (c) => lostBy(c, (e) => (e.protocol === 'tcp' || e.protocol === 'exec') && (e.outcome === 'reset' || e.outcome === 'truncated')),
    cause: 'The server closes every connection at the signal, so the requests it had already read are never answered.',
    fix: 'On the signal stop accepting, answer every request already read, then close each connection.',
  },
  {
    id: 'dependency-closed-early',
    reads: 'requests in flight at the signal answered 5xx, with a dependency behind the target',
    explains: LOST,
    confidence: 'medium',
    when: (c) => c.hasDependencies && lostBy(c, (e) => e.outcome === 'http-error'),
    cause: "The dependency's client (its pool) is closed before the HTTP drain ends, so requests still in flight fail.",
    fix: {
      neutral: "Close dependency clients only after the server's drain has finished.",
      go: 'Close dependency clients only after Shutdown has returned.',
      node: "Close dependency clients in server.close()'s callback, once the requests in flight have been answered.",
      python: 'Close dependency clients only after server.shutdown() has returned and server_close() has joined the handler threads.',
      jvm: "Close dependency clients only after the web server's graceful stop (in Spring Boot, in a bean's destroy method, which runs after the graceful shutdown phase, not in a shutdown hook of your own).",
    },
  },
  {
    id: 'node-exit-in-handler',
    reads: `a node main process that exited within ${AT_ONCE_MS} ms of the signal with requests or acknowledged writes lost`,
    explains: [...LOST, 'acked-writes/*'],
    confidence: 'high',
    when: (c) => c.runtime === 'node' && !c.shellParent && exitedWithin(c, AT_ONCE_MS),
    cause: 'The signal handler calls process.exit() at once, ending the process before server.close() has drained and before writes are flushed.',
    fix: "Call server.close() in the handler, flush what was acknowledged, and exit in close()'s callback.",
  },
  {
    id: 'workers-killed',
    reads: 'requests the worker processes had taken up reset with no byte sent, then a clean exit soon after the signal',
    explains: LOST,
    confidence: 'medium',
    when: (c) => exitedWithin(c, 500) && c.record.exit.status === 0 && lostBy(c, (e) => e.outcome === 'reset') && workersAtSignal(c) > 0,
    cause: (c) =>
      `${c.first!.signal} is a fast stop here: the main process ends its ${workersAtSignal(c)} worker processes at once, so the requests they had taken up are reset unanswered, however long ago they came.`,
    fix: 'Stop the workers gracefully: close the listener, let each worker finish the request in hand (SIGTERM to them, or the server\'s graceful-stop signal), and exit once they are done.',
  },
  {
    id: 'exit-before-drain',
    reads: 'a clean exit, within 50 ms of the signal or before a reset request was due (sooner than that path was answered before), while HTTP requests sent before it were reset',
    explains: LOST,
    confidence: 'medium',
    when: (c) =>
      exitedWithin(c, Number.POSITIVE_INFINITY) &&
      c.record.exit.status === 0 &&
      lostBy(c, (e) => e.outcome === 'reset') &&
      (exitedWithin(c, 50) || lostBy(c, (e) => e.outcome === 'reset' && exitedBeforeDue(c, e))),
    cause: {
      neutral: 'The program ends as soon as its listener closes, without waiting for the requests in flight to be answered.',
      go: 'The program ends as soon as the listener closes, without waiting for the drain (main returned when Serve returned ErrServerClosed).',
      python:
        "The program ends as soon as serve_forever() returns: server.shutdown() stops the accept loop but does not wait for the handler threads, and ThreadingHTTPServer's daemon threads die with the interpreter, cutting the requests they were answering.",
      node: "The process exits right after calling server.close(): close() only stops new connections and calls back once the open ones have ended, so exiting before its callback cuts the requests in flight.",
      jvm: 'The JVM exits while requests are in flight: the server was stopped without waiting for them (HttpServer.stop(0), or a shutdown hook that does not wait), so their connections were reset.',
      ruby: 'The process exits while request threads are still answering: the server was stopped (or exit called from a trap) without joining them, and Ruby kills the other threads when the main thread ends.',
    },
    fix: {
      neutral: 'Wait for the requests in flight to be answered (the server\'s graceful stop, then join its workers) before the program exits.',
      go: 'Wait for Shutdown to return (a done channel) before leaving main; Serve returns as soon as the listener closes.',
      python:
        'After server.shutdown(), wait for the handler threads before leaving: make them non-daemon (daemon_threads = False on the ThreadingHTTPServer, so block_on_close holds) and call server.server_close(), which joins them.',
      node: "Exit in server.close()'s callback, not right after calling close() (server.close(() => process.exit(0)), or let the process end by itself once nothing is left open).",
      jvm: "Stop the server in a shutdown hook that waits for the requests in flight (HttpServer.stop(delaySeconds), Jetty's stop timeout); with Spring Boot, set server.shutdown=graceful and spring.lifecycle.timeout-per-shutdown-phase.",
      ruby: "Join the request threads before leaving (Thread#join, or the server's graceful stop: Puma's waits for the requests in flight, up to force_shutdown_after); in a trap, only set a flag and let the main thread stop and join.",
    },
  },
  {
    id: 'fast-shutdown',
    reads: 'downloads in flight cut mid-body, then a clean exit soon after the signal',
    explains: ['lost-requests/truncated'],
    confidence: 'medium',
    when: (c) => exitedWithin(c, 1000) && lostBy(c, (e) => e.outcome === 'truncated'),
    // on a catalogued server, its documentation names the signal and the graceful stop to use instead
    cause: (c) => (fastStop(c) ? fastStopCause(c) : `${c.first!.signal} is this server's fast shutdown: it cuts the responses in flight instead of finishing them.`),
    fix: (c) => (fastStop(c) ? fastStopFix(c) : "Stop it with its graceful signal (stop_signal, e.g. SIGQUIT for nginx), or make this signal's handler finish responses."),
    source: fastStopSource,
  },
  {
    id: 'ack-before-commit',
    reads: 'acknowledged writes missing from the dependency they were written to',
    explains: ['acked-writes/*'],
    confidence: 'high',
    when: (c) => c.hasDependencies,
    cause: 'Writes are acknowledged before the dependency stored them, so those still queued are dropped by a stop or a cut.',
    fix: 'Acknowledge a write only after the dependency confirmed it.',
  },
  {
    id: 'exit-skips-flush',
    reads: 'acknowledged writes missing after a clean exit, with no dependency',
    explains: ['acked-writes/*'],
    confidence: 'medium',
    when: (c) => !c.record.exit.forcedKill && c.record.exit.status === 0,
    cause: {
      neutral: 'Acknowledged writes sat in a buffer that was never flushed: the process exited (by a call that skips its cleanup) before the flush.',
      go: 'Acknowledged writes sat in a buffer that was never flushed: the process exited (os.Exit skips deferred calls) before the flush.',
      python: 'Acknowledged writes sat in a buffer that was never flushed: the process exited (os._exit() skips flushing files, finally blocks and atexit handlers) before the flush.',
      node: "Acknowledged writes were still queued (in a stream's buffer, or an fs write not yet called back) when process.exit() ended the process, which does not wait for them.",
      jvm: 'Acknowledged writes sat in a buffer that was never flushed: the JVM left (Runtime.halt(), or an exit no shutdown hook flushes in) before the flush.',
    },
    fix: {
      neutral: 'Flush (and sync) before exiting, in the path every stop takes, or flush before acknowledging.',
      go: 'Flush (and sync) before exiting: return from main instead of calling os.Exit, or flush before acknowledging.',
      python: 'Flush and sync before exiting (f.flush(), then os.fsync(f.fileno())): leave through sys.exit() or by returning, not os._exit(), or flush before acknowledging.',
      node: "Flush before exiting: end the stream and exit in its 'finish' callback (or write with fs.writeSync and fsync before acknowledging), not process.exit() while writes are pending.",
      jvm: 'Flush (and FileChannel.force) in a shutdown hook or before acknowledging, and leave through System.exit, not Runtime.halt().',
    },
  },
  {
    id: 'exit-skips-cleanup',
    reads: 'files the target must remove still present after a clean exit',
    explains: ['handles/files-left'],
    confidence: 'medium',
    when: (c) => !c.record.exit.forcedKill && c.record.exit.status === 0,
    cause: {
      neutral: 'The process exits without running its cleanup (by a call that skips it), leaving files it should have removed.',
      go: 'The process exits without running its cleanup (os.Exit skips deferred calls), leaving files it should have removed.',
      python: 'The process exits without running its cleanup (os._exit() skips finally blocks and atexit handlers), leaving files it should have removed.',
      node: "The process exits without running its cleanup (process.exit() drops the callbacks still pending, and 'beforeExit' does not fire), leaving files it should have removed.",
      jvm: 'The process exits without running its cleanup (Runtime.halt() skips the shutdown hooks), leaving files it should have removed.',
    },
    fix: {
      neutral: 'Run the cleanup before exiting, in the path every stop takes.',
      go: 'Return from main (or run the cleanup explicitly) instead of calling os.Exit.',
      python: 'Leave through sys.exit() or by returning from main, so finally blocks and atexit handlers run, or remove the files explicitly before os._exit().',
      node: "Remove the files before calling process.exit() (fs.rmSync, or synchronously in process.on('exit')).",
      jvm: 'Remove the files in a shutdown hook, and leave through System.exit, not Runtime.halt().',
    },
  },
  {
    id: 'job-taken-not-kept',
    reads: 'a job enqueued and acknowledged that is neither done nor queued after the stop',
    explains: ['jobs/job-lost'],
    confidence: 'high',
    when: () => true,
    cause: 'The worker removes a job from the queue when it takes it, not when it is done, and exits with the job in hand.',
    fix: 'Keep a taken job in a processing list until it is done (LMOVE, then LREM), and finish or requeue it before exiting.',
  },
  {
    id: 'reload-leaks-fd',
    reads: 'fds of the main process growing with each survived signal, by kind (file, socket)',
    explains: ['handles/fd-leak'],
    confidence: 'high',
    when: () => true,
    cause: (_c, f) =>
      leakiest(f) === 'socket'
        ? 'Each reload makes a new client (a connection) and drops the old one with its socket still open.'
        : `Each reload opens a ${leakiest(f) ?? 'file'} again and never closes the one it replaces.`,
    fix: {
      neutral: 'Close what the reload replaces (the old file, or the old client and its connections) once the new one is in place.',
      go: 'Close what the reload replaces (the old file, or the old client with CloseIdleConnections) once the new one is in place.',
      python: "Close what the reload replaces (the old file's close(), the old client's or session's close()) once the new one is in place.",
      node: "Close what the reload replaces (the old stream's end() or fs.close, the old agent's destroy()) once the new one is in place.",
    },
  },
  {
    id: 'pid1-no-reap',
    reads: 'zombies lasting under the main process, which never reaped one',
    explains: ['handles/zombies'],
    confidence: 'high',
    when: (c, f) => ((f.evidence?.parents as number[] | undefined) ?? []).includes(c.record.target.pid),
    cause: 'The main process (PID 1 in its container) never reaps the orphaned children it inherits, so they stay zombies.',
    fix: 'Run it under an init that reaps (init: true, tini), or reap with wait4(-1) on SIGCHLD.',
  },
  {
    id: 'children-left',
    reads: 'processes of the target still running after its main process exited',
    explains: ['handles/orphans', 'deadline/*'],
    confidence: 'high',
    when: (c) => {
      const { exit } = c.record;
      return exit.killedAtMs !== undefined && exit.atMs < exit.killedAtMs && exit.lingering.some((p) => p.pid !== c.record.target.pid);
    },
    cause: 'The service exits without stopping the child processes it started.',
    fix: 'Signal the children (or their process group) and wait for them before exiting.',
  },
  {
    id: 'wallclock-watchdog',
    reads: 'an exit without a terminating signal soon after a pause (SIGSTOP) was undone',
    explains: ['exit-status/unexpected-exit', ...LOST],
    confidence: 'medium',
    when: (c) => c.paused && c.record.events.some((e) => e.kind === 'pause' && e.healedMs !== undefined && c.record.exit.atMs >= e.healedMs && c.record.exit.atMs - e.healedMs < 5000),
    cause: 'A timer on the wall clock takes the pause for a lost lease, and the process exits after the gap.',
    fix: {
      neutral: 'Measure liveness on the monotonic clock and, after a gap, renew (or re-check) the lease instead of exiting.',
      go: 'Measure liveness with time.Since on a time.Now() reading (it carries the monotonic clock), not Unix timestamps, and, after a gap, renew (or re-check) the lease instead of exiting.',
      python: 'Measure liveness with time.monotonic(), not time.time(), and, after a gap, renew (or re-check) the lease instead of exiting.',
      node: 'Measure liveness with performance.now() or process.hrtime.bigint(), not Date.now(), and, after a gap, renew (or re-check) the lease instead of exiting.',
      jvm: 'Measure liveness with System.nanoTime(), not currentTimeMillis(), and, after a gap, renew (or re-check) the lease instead of exiting.',
    },
  },
];

/**
 * The catalogue, most specific first: a failure gets the first entry that explains it and whose evidence is in the
 * record. Each stop model's entries come first (stop-models/, in the registry's order), then the general ones. Causes
 * from the seed document on Go signal pitfalls and from every class of the zoo.
 */
export const catalogueOf = (models: readonly StopModelDef[] = stopModels()): Entry[] => [...models.flatMap((m) => m.diagnoses ?? []), ...ROLLOUT, ...GENERAL, ...SERVER_LAST];

/** The catalogue of the stop models registered when it was first read: the built-ins' (diagnose asks again each time). */
export const catalogue: readonly Entry[] = catalogueOf();

/** The fd kind that grew most per signal, from the fd-leak failure's evidence (undefined in records without kinds). */
function leakiest(f: OracleResult): string | undefined {
  const perSignal = f.evidence?.perSignal as Record<string, number> | undefined;
  if (!perSignal) return undefined;
  return Object.entries(perSignal).sort((a, b) => b[1] - a[1])[0]?.[0];
}
