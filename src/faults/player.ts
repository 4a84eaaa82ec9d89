import type { Applied, Delivery, PartitionSpec } from '../backends/target.js';
import type { Recipients } from '../host/recipient.js';
import { fireAt, fireOnThread, type Fired } from '../host/timing-thread.js';
import type { WatchedFor } from '../host/watch-worker.js';
import type { PlayedEvent } from '../schedule/played.js';
import type { SignalName } from '../signals.js';
import { now, sleepUntil } from '../time.js';
import { anchorOf, describeRequestAnchor, FILE_BURST_MS, isFileAnchor, isLineAnchor, signalsOf, type Anchor, type FaultEvent } from '../schedule/event.js';
import { arrival, type AnchorFeeds } from './anchor.js';
import { shotsOf } from './plan.js';

/**
 * How long before its instant a signal's recipients are resolved and its plan handed to the timing thread: room
 * for a late timer of the event loop and a /proc scan (group, children) on a loaded machine.
 */
export const PREPARE_MS = 50;

/** The faults a running stack takes: what the player calls, one method per kind of fault. */
export interface FaultTarget {
  /** Delivers the signals in order, back to back; `to` is a recipient of the target or of a service (`db:group`). */
  signal(signals: readonly SignalName[], to: string): Promise<Delivery[]>;
  /**
   * The host pids a signal to `to` would reach now, for the timing thread; undefined when that service's signals
   * cannot go by host pid (the Docker API). Throws when the recipient has exited.
   */
  recipients?(to: string): Recipients | undefined;
  /** Freezes every process of the target, or of the service named, until the returned heal thaws it. */
  pause(service?: string): Promise<Applied>;
  /** Cuts traffic between the workload and the target, or on the edge `between` two services. */
  partition(spec: PartitionSpec & { between?: readonly [string, string] }): Promise<Applied>;
}

export interface PlayHooks {
  /** Each signal, the moment it is delivered (before its event is complete: storms last a while). */
  onSignal?: (signal: SignalName, atMs: number, played: PlayedEvent) => void;
  /** Each event once it has taken full effect (a pause or partition: once applied, not healed). */
  onPlayed?: (played: PlayedEvent) => void;
  /** A `stop` event at its instant: the orchestrator's sequence is the trial's to play. */
  onStop?: (played: PlayedEvent) => void;
  /** A signal event the timing thread is about to send at `atMs` (after the origin): the target's sockets are read around it. */
  onShot?: (played: PlayedEvent, atMs: number) => void;
}

/**
 * The only impure interpreter of a schedule. Every event starts at its own instant, timed from one origin (no
 * chained sleeps, so delays never accumulate, and a long storm does not hold back the events after it). Pauses and
 * partitions hold their duration from the moment they took effect (an engine slow to freeze does not shorten the
 * freeze), or until `heal()` ends them early. Times in the records are ms after `originMs`.
 * Signals that can go by host pid are resolved PREPARE_MS ahead and sent by the timing thread at their instant;
 * the others (the Docker API) are sent from the event loop.
 */
export class Player {
  readonly played: PlayedEvent[] = [];
  private readonly running: Promise<void>[] = [];
  private readonly heals = new Map<PlayedEvent, () => Promise<number>>();
  private readonly healing = new Set<Promise<void>>();
  private readonly stopped = new AbortController();

  constructor(
    private readonly target: FaultTarget,
    private readonly originMs: number,
    private readonly hooks: PlayHooks = {},
    /** The target's output as it is read, and the workload's request phases: events timed from one (`after`) wait for it. */
    private readonly feeds: AnchorFeeds = {},
  ) {}

  /** Plays one event now; resolves once it has run its course (its signals delivered, or why not in `error`). */
  async playNow(event: FaultEvent, origin: PlayedEvent['origin']): Promise<PlayedEvent> {
    const played: PlayedEvent = { ...event, at: now() - this.originMs, origin, scheduledMs: now() - this.originMs } as PlayedEvent;
    this.played.push(played);
    if (this.stopped.signal.aborted) played.error = 'not played: the trial was over';
    else await this.apply(played);
    return played;
  }

  /** Plays `schedule`; resolves once every event has been started (not necessarily finished). */
  async play(schedule: readonly FaultEvent[], origin: PlayedEvent['origin'] = 'schedule'): Promise<void> {
    for (const event of schedule.filter(anchorOf)) this.running.push(this.playAnchored(event, origin));
    for (const event of schedule.filter((e) => !anchorOf(e)).sort((a, b) => a.at - b.at)) {
      await this.until(signalsOf(event).length > 0 ? event.at - PREPARE_MS : event.at);
      const played: PlayedEvent = { ...event, origin, scheduledMs: event.at };
      this.played.push(played);
      if (this.stopped.signal.aborted) {
        played.error = 'not played: the trial was over';
        continue;
      }
      this.running.push(this.apply(played));
    }
  }

  /**
   * An event timed from a line of the target's output or a request's phase: played `at` ms after it came (its
   * instant then known, on the same clock as the others), or not at all if it did not come within the anchor's time.
   */
  private async playAnchored(event: FaultEvent, origin: PlayedEvent['origin']): Promise<void> {
    const anchor = anchorOf(event)!;
    const awaited = this.onThread(anchor);
    if (awaited && signalsOf(event).length > 0 && 'to' in event && event.to === 'main') {
      const recipients = this.recipientsNow(event.to);
      if (recipients) return this.playOnThread(event, origin, anchor, awaited, recipients);
    }
    const came = await arrival(this.feeds, anchor, this.originMs, this.originMs + anchor.within, this.stopped.signal);
    const at = came === undefined ? anchor.within : came.atMs - this.originMs + event.at;
    const played = { ...event, at, origin, scheduledMs: at } as PlayedEvent;
    if (came) played.anchorMs = came.atMs - this.originMs;
    if (came?.request) played.anchorRequest = came.request.id;
    this.played.push(played);
    if (came !== undefined && !this.stopped.signal.aborted) return this.apply(played);
    played.error = this.stopped.signal.aborted ? 'not played: the trial was over' : `not played: ${missing(anchor)} within ${anchor.within} ms`;
  }

  /** What the watch thread can wait for in the anchor's stead: a write or line it reads itself (none for a request's phase). */
  private onThread(anchor: Anchor): WatchedFor | undefined {
    const { files, lines } = this.feeds;
    if (isFileAnchor(anchor) && files?.thread !== undefined) return { watch: files.thread, file: anchor.file, nth: anchor.nth, burstMs: FILE_BURST_MS };
    if (isLineAnchor(anchor) && lines?.thread !== undefined) return { output: lines.thread, log: anchor.log, nth: anchor.nth };
    return undefined;
  }

  /**
   * A signal to the main process timed from a write or a line: armed in the timing thread at once (its recipients
   * resolved now), and released by the watch thread the moment that write or line is read, not by this event loop
   * (which, busy or on a loaded machine, read it milliseconds late: bench/watch-lag.mjs). Recorded as an anchored
   * event played from here.
   */
  private async playOnThread(event: FaultEvent, origin: PlayedEvent['origin'], anchor: Anchor, awaited: WatchedFor, recipients: Recipients): Promise<void> {
    const played = { ...event, at: anchor.within, origin, scheduledMs: anchor.within, sentFrom: 'timing-thread' } as PlayedEvent;
    this.played.push(played);
    const came = (anchorMs: number) => {
      played.anchorMs = anchorMs - this.originMs;
      played.at = played.scheduledMs = played.anchorMs + event.at;
    };
    const window = { fromMs: this.originMs, untilMs: this.originMs + anchor.within };
    const fired = await fireOnThread(awaited, window, shotsOf(event, 0, recipients), this.stopped.signal, (atMs) => {
      came(atMs);
      this.hooks.onShot?.(played, played.at);
    });
    if (fired.anchorMs !== undefined) came(fired.anchorMs);
    if (played.anchorMs === undefined) {
      played.error = this.stopped.signal.aborted ? 'not played: the trial was over' : `not played: ${missing(anchor)} within ${anchor.within} ms`;
      return;
    }
    this.settleFired(played, fired, recipients);
    this.hooks.onPlayed?.(played);
  }

  /** The target's host pids for a signal to `to` now (undefined: not by host pid, or gone). */
  private recipientsNow(to: string): Recipients | undefined {
    try {
      return this.target.recipients?.(to);
    } catch {
      return undefined; // gone already: the usual path says so when the write comes
    }
  }

  /** Resolves once every event started so far has run its course (storms delivered, pauses and cuts healed). */
  async settled(): Promise<void> {
    for (let seen = 0; seen < this.running.length; seen = this.running.length) await Promise.all(this.running);
  }

  /** Ends the schedule: nothing more starts, every pause and partition still active is healed now. */
  async stop(): Promise<void> {
    this.stopped.abort();
    await this.heal();
    await Promise.all(this.running);
  }

  /** Heals every active pause and partition at once (before a SIGKILL, and when the trial ends). */
  async heal(): Promise<void> {
    await Promise.all([...this.heals.keys()].map((played) => this.healOne(played)));
    await Promise.all([...this.healing]); // heals already under way elsewhere finish too
  }

  private async apply(played: PlayedEvent): Promise<void> {
    try {
      if (played.kind === 'stop') {
        if (!this.hooks.onStop) throw new Error('not played: no stop sequence here');
        played.deliveredMs = now() - this.originMs;
        this.hooks.onStop(played);
        return;
      }
      if (played.kind === 'pause' || played.kind === 'partition') {
        const applied = played.kind === 'pause' ? await this.target.pause(played.to) : await this.target.partition(played);
        played.deliveredMs = applied.atMs - this.originMs;
        played.via = applied.via;
        this.heals.set(played, applied.heal);
        this.hooks.onPlayed?.(played);
        // Timed from when it took effect, not from its instant: the engine's 74 ms to freeze must not come off the freeze.
        await this.until(played.deliveredMs + played.duration);
        await this.healOne(played);
        return;
      }
      // A readiness flap is the replica's probe's to play, a rollout's size the trial's (trial/rollout.ts).
      if (played.kind === 'unready' || played.kind === 'rollout') throw new Error(`not played: a ${played.kind} event is the rollout's to play`);
      const signals = signalsOf(played);
      played.deliveries = [];
      const deliver = (d: Delivery, signal: SignalName) => this.deliver(played, d, signal);
      const recipients = this.target.recipients?.(played.to);
      if (recipients) {
        played.sentFrom = 'timing-thread';
        this.hooks.onShot?.(played, played.at);
        this.settleFired(played, await fireAt(shotsOf(played, this.originMs, recipients), this.stopped.signal), recipients);
      } else {
        played.sentFrom = 'event-loop';
        await this.until(played.at);
        if (this.stopped.signal.aborted) throw new Error('not played: the trial was over');
        if (played.kind === 'race') {
          const deliveries = await this.target.signal(signals, played.to);
          deliveries.forEach((d, i) => deliver(d, signals[i]!));
        } else {
          const spacing = played.kind === 'storm' ? played.spacing : 0;
          for (const [i, signal] of signals.entries()) {
            if (i > 0) await this.until(played.at + i * spacing);
            if (this.stopped.signal.aborted) throw new Error(`stopped after ${i} of ${signals.length} signals: the trial was over`);
            deliver((await this.target.signal([signal], played.to))[0]!, signal);
          }
        }
      }
    } catch (error) {
      played.error = (error as Error).message;
    }
    this.hooks.onPlayed?.(played);
  }

  /** A signal delivered: in the record, and told (`onSignal`). */
  private deliver(played: PlayedEvent, d: Delivery, signal: SignalName): void {
    const atMs = d.atMs - this.originMs;
    (played.deliveries ??= []).push({ signal, atMs });
    played.deliveredMs ??= atMs;
    played.via ??= d.via;
    played.pids ??= d.pids;
    this.hooks.onSignal?.(signal, atMs, played);
  }

  /** What the timing thread sent of an event's plan, in its record; why the rest was not sent, in `played.error`. */
  private settleFired(played: PlayedEvent, fired: Fired, recipients: Recipients): void {
    for (const { signal, atMs } of fired.sent) this.deliver(played, { atMs, via: 'host-pid', pids: recipients.pids }, signal);
    const sent = fired.sent.length;
    const what = played.kind === 'storm' ? `after ${sent} of ${signalsOf(played).length} signals` : '';
    if (fired.error !== undefined) played.error = sent ? `${fired.error} ${what}` : fired.error;
    else if (fired.cancelled) played.error = sent ? `stopped ${what}: the trial was over` : 'not played: the trial was over';
    // A race's target may be reaped after its first signal: the deliveries made count (as killByPid does).
    else if (fired.gone && (sent === 0 || played.kind === 'storm')) played.error = `the recipient (pid ${recipients.pids.join(', ')}) had exited ${what || 'at the instant of delivery'}`.trim();
  }

  private healOne(played: PlayedEvent): Promise<void> {
    const heal = this.heals.get(played);
    if (!heal) return Promise.resolve();
    this.heals.delete(played);
    const healing = heal().then(
      (at) => {
        played.healedMs = at - this.originMs;
        played.undoneMs = now() - this.originMs;
        if (played.deliveredMs !== undefined) played.heldMs = played.healedMs - played.deliveredMs;
      },
      (error: Error) => void (played.error = `heal failed: ${error.message}`),
    );
    this.healing.add(healing);
    return healing.finally(() => this.healing.delete(healing));
  }

  /** Sleeps until `ms` after the origin. Timers may fire a fraction of a millisecond early: never act before. */
  private until(ms: number): Promise<void> {
    return sleepUntil(this.originMs + ms, this.stopped.signal);
  }
}

/** What an anchored event waited for in vain, in words. */
const missing = (anchor: Anchor): string =>
  isLineAnchor(anchor)
    ? `no line with ${JSON.stringify(anchor.log)}${anchor.nth > 1 ? ` (#${anchor.nth})` : ''}`
    : isFileAnchor(anchor)
      ? `no write${anchor.nth > 1 ? ` #${anchor.nth}` : ''} of ${JSON.stringify(anchor.file)} in the data directory`
      : `no ${describeRequestAnchor(anchor)}`;
