import { normalizeSignal } from '../signals.js';
import type { Draft, Entry } from './draft.js';
import { withEntries } from './draft.js';
import { guessProtocol } from './protocol.js';

// The parts of a first scenario every source ends with: readiness, traffic, expectations. Each says whether it
// was read or defaulted.

/** The readiness path tried first by convention, written when nothing says which path answers once ready. */
export const DEFAULT_READY_PATH = '/healthz';

export interface ReadyChoice {
  /** A path answering 2xx once ready, with where it was read; undefined: not known. */
  http?: { path: string; port?: number; why: string };
  /** A line of output meaning ready. */
  log?: { text: string; why: string };
  /** A TCP connect to the port (a check or probe that amounts to one, read with where; or no HTTP evidence). */
  tcp?: { port?: number; why: string; protocol?: string; unknown?: string };
  /** Whether the target serves a TCP port at all (no port: nothing to probe or to send traffic to). */
  hasPort: boolean;
  /** The port it serves, when a file says, and what its files name it by (image, build, command, service): whether it speaks HTTP is guessed from them. */
  port?: number;
  names?: string[];
  /** A check that was found and cannot be a readiness probe, said beside the default. */
  unusable?: string;
}

/** What a source found, before readiness, traffic and expectations are written: a command may still add to it. */
export interface Sketch {
  draft: Draft;
  ready: ReadyChoice;
  stopSignal: string;
  /** The scenario's name (the service's, the unit's). */
  name?: string;
}

/** Said when a scenario has no process form; dropped when a command gives it one. */
export const NO_PROCESS_FORM = 'a process form: the scenario runs on the docker backend only (give the command after `--` to add one)';

/** Said of a process form whose port nothing gave; dropped when the command was started and its port found. */
export const UNIT_PORT =
  'the port: a unit does not say; sigstorm hands the process a free port in $PORT (make it listen there, or put {port} in the command; `sigstorm init --systemd … -- <command>` finds it)';

/** `target.ready`, `workload` and `expect` for what was found; what was not is said as an unknown. */
export function finish({ draft, ready: found, stopSignal: written }: Sketch): Draft {
  const stopSignal = normalizeSignal(written) ?? 'SIGTERM';
  const ready = withGuess(found);
  const { entries, unknowns, path } = readyEntries(ready);
  const traffic = trafficEntries(ready, path);
  const expectWhy = `What must hold after ${stopSignal}: exit 0 (or ${stopSignal}'s own status) within the stop grace period, what \`docker stop\` users check. Declare ${['SIGTERM', 'SIGINT', 'SIGHUP'].filter((x) => x !== stopSignal).join(' or ')} here to test them too.`;
  const expect: Entry = { path: ['expect', stopSignal], value: { exit: [0, stopSignal] }, why: expectWhy };
  return withEntries(draft, [...entries, ...traffic.entries, expect, SCHEDULE], [...unknowns, ...traffic.unknowns]);
}

/** What `run` plays: without a schedule the stop would come at readiness, before the traffic has sent anything. */
const SCHEDULE: Entry = {
  path: ['schedule'],
  value: [{ at: 1000, kind: 'stop' }],
  why: 'What `sigstorm run` plays: the stop 1 s after readiness, while the traffic flows (`fuzz` draws its own times).',
};

/** A port with no readiness read: a TCP readiness when nothing says it speaks HTTP (else the /healthz default). */
function withGuess(ready: ReadyChoice): ReadyChoice {
  if (ready.http || ready.log || ready.tcp || !ready.hasPort) return ready;
  const guess = guessProtocol(ready.port, ready.names ?? []);
  if (!guess || guess.protocol === 'http') return ready;
  const why = `Default: ${guess.why}${ready.unusable ? `, and ${ready.unusable}` : ''}: ready once its port accepts a TCP connection (what Kubernetes' tcpSocket probe asks).`;
  const unknown = 'a readiness check (a TCP connect to its port instead: nothing says it speaks HTTP)';
  return { ...ready, tcp: { why, unknown, ...(guess.protocol !== 'tcp' ? { protocol: guess.protocol } : {}) } };
}

function readyEntries(ready: ReadyChoice): { entries: Entry[]; unknowns: string[]; path?: string } {
  const entries: Entry[] = [];
  const unknowns: string[] = [];
  const path = ready.http?.path ?? (ready.hasPort && !ready.log && !ready.tcp ? DEFAULT_READY_PATH : undefined);
  if (ready.http) {
    entries.push({ path: ['target', 'ready', 'http'], value: ready.http.path, why: ready.http.why });
    if (ready.http.port) entries.push({ path: ['target', 'ready', 'port'], value: ready.http.port });
  } else if (ready.log) {
    entries.push({ path: ['target', 'ready', 'log'], value: ready.log.text, why: ready.log.why });
  } else if (ready.tcp) {
    entries.push({ path: ['target', 'ready', 'tcp'], value: ready.tcp.port ?? true, why: ready.tcp.why });
    if (ready.tcp.unknown) unknowns.push(ready.tcp.unknown);
  } else if (path) {
    const guess = guessProtocol(ready.port, ready.names ?? []);
    const convention = guess ? ` (${guess.why})` : '';
    const why = `Default: nothing said which path answers once the service is ready${convention}; ${path} is the usual one. Change it to a path that answers 2xx once it is.`;
    entries.push({ path: ['target', 'ready', 'http'], value: path, why });
    unknowns.push(`a readiness path (defaulted to ${path}${ready.unusable ? `: ${ready.unusable}` : ''})`);
  } else {
    unknowns.push('readiness: no port and no health check, so the target counts as ready once started (add `ready.log` with a line it prints when ready)');
  }
  if (ready.http || ready.log || ready.tcp || path) entries.push({ path: ['target', 'ready', 'timeout'], value: '30s', why: 'Default: how long start-up may take.' });
  return { entries, unknowns, ...(path ? { path } : {}) };
}

/** What to add where init sends no traffic, by what the service speaks. */
const MISSING_TRAFFIC: Record<string, string> = {
  grpc: 'gRPC: give `workload.grpc` (your .proto and a method)',
  // A request ending in an error status before the stop counts as lost: an HTTP server with no 2xx path gets none.
  http: 'HTTP, but no path asked answered 2xx: give `workload.requests` a path that does',
  tcp: 'not HTTP: give `workload.tcp` (send and expect of its protocol) or `workload.exec` (your own client)',
  none: 'no port: a worker takes its work elsewhere (`workload.jobs` for a Redis queue, or `workload.exec`)',
};

/** Traffic during the stop: requests on the readiness path, Redis PINGs, or what is missing said. */
function trafficEntries(ready: ReadyChoice, path: string | undefined): { entries: Entry[]; unknowns: string[] } {
  if (path) {
    const why = `Traffic during the stop, so requests lost or cut are judged. Default: the readiness path, a fast one; add your slowest endpoint (a request in flight is what a shutdown cuts).`;
    return { entries: [{ path: ['workload', 'requests'], value: [{ path, rate: 20, concurrency: 4 }], why }], unknowns: [] };
  }
  const protocol = ready.tcp && (ready.tcp.protocol ?? guessProtocol(ready.port, ready.names ?? [])?.protocol);
  if (protocol === 'redis') {
    const why = 'Traffic during the stop: Redis answers PING with +PONG, on connections kept open (a shutdown that drops them shows). Add the commands your clients send.';
    const ping = { send: 'PING\r\n', expect: '^\\+PONG', rate: 20, concurrency: 2, connection: 'keep-alive' };
    return { entries: [{ path: ['workload', 'tcp'], value: [ping], why }], unknowns: [] };
  }
  return { entries: [], unknowns: [`traffic: ${MISSING_TRAFFIC[protocol ?? (ready.hasPort ? 'tcp' : 'none')] ?? MISSING_TRAFFIC.tcp}`] };
}
