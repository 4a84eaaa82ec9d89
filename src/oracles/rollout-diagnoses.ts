import type { HealthCheck } from '../rollout/plan.js';
import type { Entry } from './entry.js';

// The catalogue's entries for failures across a rollout (oracles/rollout.ts), read from the rollout oracle's evidence.

/** What the rollout oracle found of requests routed to a stopping replica that no longer accepted (its evidence). */
export interface RoutedWhileStopping {
  count: number;
  replicas: string[];
  /** The endpoint lag of the first such replica's stop, and when its signal came after its stop began. */
  lagMs: number;
  signalInMs: number;
  /** The balancer's own health checks, when they (not an endpoint lag) took replicas out of rotation. */
  healthCheck?: HealthCheck;
}

/** Requests cut on connections a draining replica had accepted before its stop and never closed (its evidence). */
export interface KeptAliveThroughDrain {
  count: number;
  /** The distinct connections they were sent on. */
  connections: number;
  replicas: string[];
  /** When the first such replica exited after its stop signal. */
  exitInMs?: number;
}

/** Requests a replica failed right after its readiness probe took it into the rotation (its evidence). */
export interface RoutedBeforeWarm {
  count: number;
  replicas: string[];
  /** How long after joining the rotation its last such failure came. */
  failingForMs: number;
  /** What they got: HTTP statuses, or the outcome where there was none. */
  statuses: (number | string)[];
}

/** A replica the balancer took out of the rotation when its readiness failed, after it had passed (the capacity oracle's evidence). */
export interface ReadinessLost {
  replica: string;
  joinedMs: number;
  leftMs: number;
  /** When it came back, if it did before the trial ended. */
  backMs?: number;
}

const routedOf = (evidence: Record<string, unknown> | undefined): RoutedWhileStopping | undefined =>
  evidence?.routedWhileStopping as RoutedWhileStopping | undefined;

const keptAliveOf = (evidence: Record<string, unknown> | undefined): KeptAliveThroughDrain | undefined =>
  evidence?.keptAliveThroughDrain as KeptAliveThroughDrain | undefined;
const lostReadinessOf = (evidence: Record<string, unknown> | undefined): ReadinessLost[] => (evidence?.readinessLost as ReadinessLost[] | undefined) ?? [];
const warmOf = (evidence: Record<string, unknown> | undefined): RoutedBeforeWarm | undefined => evidence?.routedBeforeWarm as RoutedBeforeWarm | undefined;

export const ROLLOUT: Entry[] = [
  {
    id: 'health-check-slower-than-stop',
    reads:
      "requests lost across a rollout, most of them routed by the load balancer to an old replica after its stop signal, before the balancer's own health checks took it out of rotation, and never answered",
    explains: ['rollout/routed-while-stopping'],
    confidence: 'high',
    when: (c, f) => c.record.rollout !== undefined && (routedOf(f.evidence)?.count ?? 0) > 0 && routedOf(f.evidence)?.healthCheck !== undefined,
    cause: (_c, f) => {
      const r = routedOf(f.evidence);
      if (!r?.healthCheck) return "The load balancer's health checks took longer to notice a stopped replica than the replica took to stop accepting.";
      const { intervalMs, fall } = r.healthCheck;
      return (
        `The load balancer checks each replica every ${intervalMs} ms and takes it out after ${fall} failed check(s) in a row (one, for a server it took in shortly before): it took ${Math.round(r.lagMs)} ms to take ${r.replicas.join(', ')} out after its stop began, ` +
        `but its stop signal came ${Math.round(r.signalInMs)} ms in and it closed its listener at once: ${r.count} connection(s) routed to it in between were never answered.`
      );
    },
    fix:
      'Drain in the replica: at the stop signal, fail the health check (answer 503 on it) while still serving, for longer than the balancer takes to notice (interval × fall, plus one interval), and only then close the listener; a preStop sleep helps only when something fails that check during it.',
  },
  {
    id: 'no-prestop-under-endpoint-lag',
    reads: 'requests lost across a rollout, most of them routed by the load balancer to an old replica after its stop signal, within the endpoint lag, and never answered',
    explains: ['rollout/routed-while-stopping'],
    confidence: 'high',
    when: (c, f) => c.record.rollout !== undefined && (routedOf(f.evidence)?.count ?? 0) > 0,
    cause: (_c, f) => {
      const r = routedOf(f.evidence)!;
      return (
        `The load balancer kept sending new connections to ${r.replicas.join(', ')} for ${Math.round(r.lagMs)} ms after its stop began (endpoint removal lag), ` +
        `but its stop signal came ${Math.round(r.signalInMs)} ms in and it closed its listener at once: ${r.count} connection(s) routed to it in that window were never answered. ` +
        'Stopped alone, the same service drains cleanly; only a rollout behind a lagging load balancer shows it.'
      );
    },
    fix: 'Add a preStop hook that sleeps longer than endpoint removal takes (lifecycle.preStop.sleep, a few seconds), or keep accepting connections that long after the stop signal before closing the listener.',
  },
  {
    id: 'keep-alive-not-closed-on-drain',
    reads:
      'requests lost across a rollout, most of them sent after an old replica\'s stop signal on keep-alive connections it had accepted before its stop began, and cut (reset or truncated) instead of answered or refused at once',
    explains: ['rollout/keep-alive-cut'],
    confidence: 'high',
    when: (c, f) => c.record.rollout !== undefined && (keptAliveOf(f.evidence)?.count ?? 0) > 0,
    cause: (_c, f) => {
      const k = keptAliveOf(f.evidence);
      if (!k) return 'An old replica stopped accepting at its stop signal but left its idle keep-alive connections open, and requests clients went on sending on them were cut when it went.';
      const exit = k.exitInMs === undefined ? '' : ` (${k.replicas[0]} exited ${Math.round(k.exitInMs)} ms after its signal)`;
      return (
        `${k.replicas.length > 1 ? 'Replicas' : 'Replica'} ${k.replicas.join(', ')} stopped accepting at the stop signal but left ${k.replicas.length > 1 ? 'their' : 'its'} idle keep-alive connections open${exit}: the load balancer keeps an established connection ` +
        `on the replica it was sent to, so clients went on sending on ${k.connections} of them, and ${k.count} request(s) in flight there were cut when it went. ` +
        'A drain that closes idle connections (and answers the last requests with Connection: close) sends those clients to the replicas still in rotation.'
      );
    },
    fix: {
      neutral: 'While draining, close idle keep-alive connections and answer requests still coming on busy ones with Connection: close, then wait for those in flight.',
      go: 'Drain with http.Server.Shutdown (it closes the listener and the idle connections, turns keep-alives off, and waits for the requests in flight) instead of closing the listener and waiting by hand.',
      node: 'After server.close(), call server.closeIdleConnections() and answer requests that still arrive with Connection: close (res.setHeader(\'Connection\', \'close\')) until the drain is over.',
    },
  },
  {
    id: 'readiness-before-warm-up',
    reads:
      'requests lost across a rollout, most of them routed to a replica after its own readiness probe took it into the rotation, failed within its first moments, after which it answered',
    explains: ['rollout/routed-before-warm'],
    confidence: 'high',
    when: (c, f) => c.record.rollout !== undefined && (warmOf(f.evidence)?.count ?? 0) > 0,
    cause: (_c, f) => {
      const w = warmOf(f.evidence)!;
      const [its, it] = w.replicas.length > 1 ? ['their', 'them'] : ['its', 'it'];
      return (
        `${w.replicas.length > 1 ? 'Replicas' : 'Replica'} ${w.replicas.join(', ')} passed ${its} readiness probe, so the load balancer sent ${it} traffic, but failed ${w.count} request(s) (${w.statuses.join(', ')}) ` +
        `for up to ${Math.round(w.failingForMs)} ms after joining the rotation, and answered afterwards: the readiness endpoint says ready before the service can serve (a cache, pool or model still warming).`
      );
    },
    fix: 'Make the readiness endpoint fail until warm-up is done (the dependency loaded, the pool connected), or finish warming before listening; a startupProbe or minReadySeconds alone does not keep the balancer from sending it traffic.',
  },
  {
    id: 'ready-then-unready',
    reads:
      'fewer replicas available during a rollout than it allows, a new replica among those missing: its readiness passed (the balancer took it in, the controller counted it available and stopped an old one), then failed before its stop',
    explains: ['rollout/capacity-dip'],
    confidence: 'high',
    when: (c, f) => c.record.rollout !== undefined && lostReadinessOf(f.evidence).length > 0,
    cause: (_c, f) => {
      const lost = lostReadinessOf(f.evidence);
      const each = lost.map((r) => `${r.replica} joined at +${Math.round(r.joinedMs)} ms, left at +${Math.round(r.leftMs)} ms${r.backMs !== undefined ? `, back at +${Math.round(r.backMs)} ms` : ''}`);
      return (
        `The readiness probe passed and then failed (${each.join('; ')}): once it passed, the rollout counted the replica available and stopped an old one, ` +
        'so when it went out of rotation again nothing stood in for it. Ready, then not ready, during start-up: a dependency reconnecting with settings loaded after the first check, a cache reloaded, a pool swapped.'
      );
    },
    fix: 'Say ready only once start-up is over (the dependency connected with the settings it keeps, the cache loaded), so the first passing probe is one that lasts; or give the rollout minReadySeconds longer than the flap, so the controller waits before it stops an old replica.',
  },
];
