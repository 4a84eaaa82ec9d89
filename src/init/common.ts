import { normalizeSignal } from '../signals.js';
import type { Draft, Entry } from './draft.js';
import { withEntries } from './draft.js';

// The parts of a first scenario every source ends with: readiness, traffic, expectations. Each says whether it
// was read or defaulted.

/** The readiness path tried first by convention, written when nothing says which path answers once ready. */
export const DEFAULT_READY_PATH = '/healthz';

export interface ReadyChoice {
  /** A path answering 2xx once ready, with where it was read; undefined: not known. */
  http?: { path: string; port?: number; why: string };
  /** A line of output meaning ready. */
  log?: { text: string; why: string };
  /** Whether the target serves a TCP port at all (no port: nothing to probe or to send traffic to). */
  hasPort: boolean;
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
export function finish({ draft, ready, stopSignal: written }: Sketch): Draft {
  const stopSignal = normalizeSignal(written) ?? 'SIGTERM';
  const entries: Entry[] = [];
  const unknowns: string[] = [];
  const path = ready.http?.path ?? (ready.hasPort && !ready.log ? DEFAULT_READY_PATH : undefined);
  if (ready.http) {
    entries.push({ path: ['target', 'ready', 'http'], value: ready.http.path, why: ready.http.why });
    if (ready.http.port) entries.push({ path: ['target', 'ready', 'port'], value: ready.http.port });
  } else if (ready.log) {
    entries.push({ path: ['target', 'ready', 'log'], value: ready.log.text, why: ready.log.why });
  } else if (path) {
    const why = `Default: nothing said which path answers once the service is ready; ${path} is the usual one. Change it to a path that answers 2xx once it is.`;
    entries.push({ path: ['target', 'ready', 'http'], value: path, why });
    unknowns.push(`a readiness path (defaulted to ${path}${ready.unusable ? `: ${ready.unusable}` : ''})`);
  } else {
    unknowns.push('readiness: no port and no health check, so the target counts as ready once started (add `ready.log` with a line it prints when ready)');
  }
  if (ready.http || ready.log || path) entries.push({ path: ['target', 'ready', 'timeout'], value: '30s', why: 'Default: how long start-up may take.' });
  if (path) {
    const why = `Traffic during the stop, so requests lost or cut are judged. Default: the readiness path, a fast one; add your slowest endpoint (a request in flight is what a shutdown cuts).`;
    entries.push({ path: ['workload', 'requests'], value: [{ path, rate: 20, concurrency: 4 }], why });
  } else {
    unknowns.push('traffic: no HTTP path to send requests to (see `workload` in the README: tcp, grpc, exec, jobs)');
  }
  const expectWhy = `What must hold after ${stopSignal}: exit 0 (or ${stopSignal}'s own status) within the stop grace period, what \`docker stop\` users check. Declare ${['SIGTERM', 'SIGINT', 'SIGHUP'].filter((x) => x !== stopSignal).join(' or ')} here to test them too.`;
  entries.push({ path: ['expect', stopSignal], value: { exit: [0, stopSignal] }, why: expectWhy });
  return withEntries(draft, entries, unknowns);
}
