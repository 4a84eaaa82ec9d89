import { setMaxListeners } from 'node:events';
import { Agent } from 'node:http';
import type { Workload } from '../scenario/types.js';
import { now, sleep, within } from '../time.js';
import { send, type Endpoint } from './http-client.js';
import type { ClientConnection, LedgerEntry } from './ledger.js';

/** Hard caps, so a load loop always ends by itself whatever the scenario says. */
const MAX_REQUESTS = 50_000;
const SETTLE_MS = 2000;

export interface RunningWorkload {
  /** Stops starting requests, waits briefly for those in flight, and returns the ledger sorted by send time (once). */
  stop(): Promise<LedgerEntry[]>;
  /** Every connection the workload opened, in connect order (complete once `stop` has resolved). */
  readonly connections: ClientConnection[];
}

/**
 * Drives the scenario's traffic at the target from its readiness on: open-loop request streams (a new request
 * every 1/rate s while fewer than `concurrency` are in flight), long-lived streams, and acknowledged writes.
 */
export function startWorkload(workload: Workload, endpoint: Endpoint, originMs: number): RunningWorkload {
  const ledger: LedgerEntry[] = [];
  const connections: ClientConnection[] = [];
  const inFlight = new Set<Promise<void>>();
  const stopping = new AbortController();
  const ending = new AbortController();
  setMaxListeners(0, ending.signal); // one listener per request in flight
  const agents: Agent[] = [];
  let nextId = 0;
  let nextWrite = 0;

  const launch = (spec: Omit<Parameters<typeof send>[1], 'id' | 'originMs' | 'signal'>) => {
    if (nextId >= MAX_REQUESTS) return;
    const pending = send(endpoint, { ...spec, id: nextId++, originMs, signal: ending.signal, connections }).then((entry) => {
      ledger.push(entry);
      inFlight.delete(pending);
    });
    inFlight.add(pending);
    return pending;
  };

  const loops: Promise<void>[] = [];
  for (const stream of workload.requests) {
    const keepAlive = new Agent({ keepAlive: true, maxSockets: stream.concurrency });
    agents.push(keepAlive);
    loops.push(
      openLoop(stream.rate, stream.concurrency, stopping.signal, (n) =>
        launch({
          kind: 'request',
          method: stream.method,
          path: stream.path,
          timeoutMs: stream.timeout,
          agent: stream.connection === 'fresh' || (stream.connection === 'mixed' && n % 2 === 1) ? false : keepAlive,
        }),
      ),
    );
  }
  for (const stream of workload.streams) {
    for (let i = 0; i < stream.count; i++) launch({ kind: 'stream', method: 'GET', path: stream.path, timeoutMs: 60_000, agent: false });
  }
  const writes = workload.writes;
  if (writes) {
    const keepAlive = new Agent({ keepAlive: true, maxSockets: writes.concurrency });
    agents.push(keepAlive);
    loops.push(
      openLoop(writes.rate, writes.concurrency, stopping.signal, () => {
        const writeId = nextWrite++;
        return launch({ kind: 'write', method: 'POST', path: `${writes.path}?id=${writeId}`, timeoutMs: 10_000, agent: keepAlive, writeId });
      }),
    );
  }

  let stopped: Promise<LedgerEntry[]> | undefined;
  return {
    stop: () => (stopped ??= stopOnce()),
    connections,
  };

  async function stopOnce(): Promise<LedgerEntry[]> {
    stopping.abort();
    await Promise.all(loops);
    await within(Promise.all([...inFlight]), SETTLE_MS);
    ending.abort();
    await Promise.all([...inFlight]);
    for (const agent of agents) agent.destroy();
    return ledger.sort((a, b) => a.sentMs - b.sentMs || a.id - b.id);
  }
}

/** Starts `start(n)` every 1/rate s from one origin (no drift), skipping slots while `concurrency` are in flight. */
async function openLoop(
  rate: number,
  concurrency: number,
  signal: AbortSignal,
  start: (n: number) => Promise<void> | undefined,
): Promise<void> {
  const interval = 1000 / rate;
  const origin = now();
  const running = new Set<Promise<void>>();
  for (let n = 0; !signal.aborted; n++) {
    await sleep(origin + n * interval - now(), signal);
    if (signal.aborted) break;
    if (running.size >= concurrency) continue;
    const pending = start(n);
    if (!pending) break;
    running.add(pending);
    void pending.then(() => running.delete(pending));
  }
}
