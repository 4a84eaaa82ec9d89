import { now } from '../time.js';

/** A moment in a request's life the workload saw: written to its connection (`sent`), or its first response byte. */
export type Phase = 'sent' | 'response';

/** One request phase as it happened. Times on the monotonic clock (ms), like the target's output lines. */
export interface RequestPhase {
  /** The operation's id on the ledger (`#id` in reports). */
  id: number;
  /** Where it went: the HTTP path, query string included. */
  path: string;
  phase: Phase;
  atMs: number;
  /** The workload connection it went out on (numbered from 0 in the order they were opened) and which request on it (1: its first). */
  connection: number;
  onConnection: number;
}

/**
 * The workload's request phases as they happen, for events timed from a request (faults/anchor.ts). Announcing is a
 * push and a call per listener: cheap on the hot path, and synchronous, so a waiting event learns of a phase within
 * the same turn of the event loop.
 */
export class RequestPhases {
  readonly phases: RequestPhase[] = [];
  private readonly listeners = new Set<(phase: RequestPhase) => void>();
  private connections = 0;

  /** A phase now (or at `atMs`, the time the ledger keeps for it, so both agree). */
  announce(phase: Omit<RequestPhase, 'atMs'> & { atMs?: number }): void {
    const announced = { ...phase, atMs: phase.atMs ?? now() };
    this.phases.push(announced);
    for (const listener of this.listeners) listener(announced);
  }

  onPhase(listener: (phase: RequestPhase) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The next connection's number. */
  nextConnection(): number {
    return this.connections++;
  }
}
