import { setMaxListeners } from 'node:events';
import { now, sleep } from '../time.js';
import type { ClientConnection, LedgerEntry } from './ledger.js';
import { RequestPhases } from './phases.js';

/** Hard cap, so a load loop always ends by itself whatever the scenario says. */
const MAX_OPERATIONS = 50_000;

/**
 * What every workload kind drives through: one ledger with one id sequence, the connections opened, and the two
 * moments of the end (start nothing new; abandon what is still in flight). A kind never throws out of an operation:
 * how it ended goes on the ledger.
 */
export class Drive {
  readonly ledger: LedgerEntry[] = [];
  readonly connections: ClientConnection[] = [];
  readonly inFlight = new Set<Promise<void>>();
  private readonly stopper = new AbortController();
  private readonly ender = new AbortController();
  private nextId = 0;
  /** An infrastructure failure of a kind (an exec client that printed garbage): the trial cannot be judged. */
  failure: Error | undefined;

  constructor(
    /** Ms on the monotonic clock that count as 0 in the ledger (the target's readiness). */
    readonly originMs: number,
    /** Where request phases are announced as they happen (HTTP), for events timed from a request. */
    readonly phases: RequestPhases = new RequestPhases(),
  ) {
    setMaxListeners(0, this.ender.signal); // one listener per operation in flight
  }

  /** Start nothing new. */
  get stopping(): AbortSignal {
    return this.stopper.signal;
  }
  /** Abandon what is in flight: an operation unfinished then is recorded as a timeout, never as a loss. */
  get ending(): AbortSignal {
    return this.ender.signal;
  }

  stop(): void {
    this.stopper.abort();
  }
  end(): void {
    this.ender.abort();
  }

  /** The next operation id, or undefined once the cap is reached. */
  id(): number | undefined {
    return this.nextId < MAX_OPERATIONS ? this.nextId++ : undefined;
  }

  /** Runs one operation under a fresh id; its entry goes on the ledger when it ends. Undefined once capped. */
  launch(run: (id: number) => Promise<LedgerEntry>): Promise<void> | undefined {
    const id = this.id();
    if (id === undefined) return undefined;
    return this.track(run(id).then((entry) => void this.ledger.push(entry)));
  }

  /** Counts `pending` as in flight until it settles (the end waits for it, briefly). */
  track(pending: Promise<void>): Promise<void> {
    const tracked = pending.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
    return tracked;
  }

  fail(error: Error): void {
    this.failure ??= error;
  }

  /** Ms after readiness, now. */
  now(): number {
    return now() - this.originMs;
  }
}

/** Starts `start(n)` every 1/rate s from one origin (no drift), skipping slots while `concurrency` are in flight. */
export async function openLoop(
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

/**
 * One workload kind at work: `loop` settles once it starts nothing new (after `stopping`); `close` releases what the
 * kind holds (channels, clients) once nothing is in flight.
 */
export interface Driver {
  loop: Promise<void>;
  close?(): Promise<void> | void;
}
