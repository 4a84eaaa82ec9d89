import { NO_PROCESS_FORM, UNIT_PORT, type ReadyChoice, type Sketch } from './common.js';
import { emptyDraft, withEntries, without, type Draft, type Entry } from './draft.js';
import { serverNamed, wordsOf } from '../servers/named.js';
import type { CommandRun } from './command-run.js';

// What starting the command once showed, as the process form of a scenario: pure over the run's facts.

/** How the run went, in one sentence for the comment above the command. */
export function describeRun(run: CommandRun): string {
  const parts: string[] = [];
  if (run.port === undefined) parts.push(`it listened on no TCP port${run.exit?.how === 'early' ? ` (it exited first: ${exitText(run.exit)})` : ' within the time allowed'}`);
  else {
    const others = run.ports.filter((p) => p !== run.port);
    const from = run.port === run.handed ? ` (the $PORT it was handed)` : ` (not the ${run.handed} handed in $PORT)`;
    parts.push(`it listened on port ${run.port}${from} ${run.listeningAfterMs} ms after it started${others.length ? `, and on ${others.join(', ')}` : ''}`);
  }
  if (run.tried.length) parts.push(`asked ${run.tried.map((t) => `${t.path} (${t.detail})`).join(', ')}`);
  if (run.exit?.how === 'SIGTERM') parts.push(`SIGTERM ended it (${exitText(run.exit)} ${run.exit.afterMs} ms later)`);
  if (run.exit?.how === 'SIGKILL') parts.push(`SIGTERM did not end it within the grace period: SIGKILL did`);
  return `Started once by sigstorm init: ${parts.join('; ')}.`;
}

const exitText = (e: { code: number | null; signal: string | null }) => (e.signal ? `killed by ${e.signal}` : `exit ${e.code}`);

/** The command's argv, with a fixed port it listened on (not $PORT) replaced by {port} where an argument names it. */
export function portedArgv(run: CommandRun): { argv: string[]; replaced: boolean } {
  if (run.port === undefined || run.port === run.handed) return { argv: run.argv, replaced: false };
  const port = String(run.port);
  let replaced = false;
  const argv = run.argv.map((a) => {
    const next = a.replace(new RegExp(`(^|[:=])${port}$`), (_, lead: string) => `${lead}{port}`);
    replaced ||= next !== a;
    return next;
  });
  return { argv, replaced };
}

/** A line the command printed before it listened that says it is ready, for `ready.log`. */
export function readyLine(output: readonly string[]): string | undefined {
  for (const line of output) {
    const m = /\b(listening|ready|started|serving|accepting connections)\b/i.exec(line);
    if (m) return m[1]!;
  }
  return undefined;
}

/** The sketch with the command as its process form (replacing one a file gave) and, when the file gave no readiness, what the run found. */
export function withCommand(sketch: Sketch | undefined, run: CommandRun, cwd: string | undefined): Sketch {
  const stop = sketch ? undefined : serverStop(run);
  const fallback = defaultSketch(run.argv);
  const base = sketch ?? (stop ? { ...fallback, draft: withEntries(fallback.draft, [stop.entry]), stopSignal: stop.signal } : fallback);
  const { argv, replaced } = portedArgv(run);
  const entries: Entry[] = [{ path: ['target', 'process', 'command'], value: argv, why: `${describeRun(run)}${replaced ? ` The port argument became {port}, the free port sigstorm hands it.` : ''}` }];
  if (cwd) entries.push({ path: ['target', 'process', 'cwd'], value: cwd, why: 'Where the command was given, relative to this file.' });
  const unknowns: string[] = [];
  if (run.port !== undefined && run.port !== run.handed && !replaced) {
    unknowns.push(`the port: it listened on ${run.port}, not on the port handed in $PORT, and no argument names it: make it listen on $PORT (or put {port} in the command)`);
  }
  if (run.port === undefined) {
    const last = run.output.slice(-3).map((l) => `"${l}"`).join(', ');
    const ended = run.exit?.how === 'early' ? `, and it ended by itself (${exitText(run.exit)})${last ? `, printing ${last}` : ''}` : '';
    unknowns.push(`a port: it listened on no TCP port (a worker, or it failed to start${ended})`);
  }
  const { keep, mismatch } = keptReady(base, run);
  let draft: Draft = without(base.draft, ['target', 'process', 'command']);
  draft = { ...draft, unknowns: draft.unknowns.filter((u) => u !== NO_PROCESS_FORM && u !== UNIT_PORT) };
  draft = withEntries(draft, entries, unknowns);
  return { ...base, draft: withEntries(draft, [], [], mismatch ? [mismatch] : []), ready: keep ? base.ready : readyOf(run) };
}

/** The file's readiness is kept unless the command, started, answered another path and not its path, or answered HTTP where it said only TCP. */
function keptReady(base: Sketch, run: CommandRun): { keep: boolean; mismatch?: string } {
  const path = base.ready.http?.path;
  if (base.ready.log || (base.ready.tcp && !run.ready) || (path && (!run.ready || run.ready === path))) return { keep: true };
  if (!path) return { keep: false };
  const asked = run.tried.find((t) => t.path === path);
  return { keep: false, mismatch: `the readiness path ${path} that ${base.draft.source} gives answered ${asked?.detail ?? 'nothing'} when the command was started; ${run.ready} answered 2xx and is used instead.` };
}

function readyOf(run: CommandRun): ReadyChoice {
  const asked = run.tried.map((t) => `${t.path}: ${t.detail}`).join(', ');
  if (run.port === undefined) {
    // A worker: ready on a line it printed saying so, when it kept running until init stopped it.
    const line = run.exit?.how !== 'early' ? readyLine(run.output) : undefined;
    return line ? { hasPort: false, log: { text: line, why: `It listened on no port (a worker) and printed a line with "${line}": ready once that line is seen.` } } : { hasPort: false };
  }
  if (run.ready) return { hasPort: true, http: { path: run.ready, why: `GET ${run.ready} answered 2xx when sigstorm init started it (${asked}).` } };
  const http = run.tried.some((t) => t.detail.startsWith('HTTP '));
  const why = http
    ? `It answered HTTP but none of the paths asked with 2xx (${asked}): ready once its port accepts a TCP connection; put a path that answers 2xx once it is ready in \`http\` instead.`
    : `It listened on port ${run.port} and answered no HTTP request (${run.tried.map((t) => t.detail).join(', ')}): not an HTTP server, so it is ready once its port accepts a TCP connection.`;
  const unknown = http ? `a readiness path (none of ${run.tried.map((t) => t.path).join(', ')} answered 2xx: a TCP connect to its port instead)` : undefined;
  return { hasPort: true, names: run.argv, tcp: { why, ...(unknown ? { unknown, protocol: 'http' } : {}) } };
}

/**
 * The stop signal of a command that says none, from the server catalogue when its process tree shows a catalogued
 * server (a wrapper script's `exec nginx`): its documented graceful stop, so the first run tests what it is for.
 */
function serverStop(run: CommandRun): { entry: Entry; signal: string } | undefined {
  const server = serverNamed(wordsOf([...run.comms, ...run.argv]));
  const signal = server?.gracefulStop.signal;
  if (!server || !signal) return undefined;
  const seen = run.comms.find((c) => [server.recognise?.exe, server.recognise?.comm].some((r) => r && new RegExp(r).test(c)));
  const why = `${server.name}${seen ? ` (its process ${seen} when started)` : ''}: its documented graceful stop is ${server.gracefulStop.how} (docs/servers.md). Change it to test another.`;
  return { entry: { path: ['target', 'stop_signal'], value: signal, why }, signal };
}

function defaultSketch(argv: string[]): Sketch {
  const entries: Entry[] = [
    { path: ['target', 'stop_signal'], value: 'SIGTERM', why: "Default: docker stop's and Kubernetes' stop signal (a command line does not say its own)." },
    { path: ['target', 'stop_grace_period'], value: '10s', why: "Default: docker stop's 10 s; set your orchestrator's (or add `stop:` for kubernetes, systemd, supervisord)." },
  ];
  return { draft: withEntries(emptyDraft(`the command ${argv.join(' ')}`), entries), ready: { hasPort: false }, stopSignal: 'SIGTERM' };
}
