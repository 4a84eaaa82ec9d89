import { trafficStoppedMs, type TrialRecord } from '../trial/record.js';
import { serviceOf } from '../schedule/event.js';
import type { PlayedEvent } from '../schedule/played.js';
import { heldFrom, isAnswer, operationLabel, outcomeLabel, type LedgerEntry } from '../workload/ledger.js';
import { describeAttribution, laterSignalEnded } from './attribution.js';
import { forcedStop } from './forced-stop.js';
import { socketView, uptakeOf, type SocketView } from './socket-evidence.js';
import { firstTerminating, signalDeliveries, type SignalDelivery } from './terminating.js';
import type { Oracle, OracleResult } from './verdict.js';

/**
 * The fallback where there is no socket evidence (socket-evidence.ts): a connection closed unanswered at the moment
 * of the signal, within a round trip of the request going out and before any response byte, is taken for one the
 * server never took up: a keep-alive connection it closed as idle while the request was on the wire (HTTP lets
 * clients retry exactly that, RFC 9112 §9.3.1), or a new connection still in the kernel's accept queue when the
 * listener closed. (50 ms leaves room for a busy event loop; time the target spent paused or cut off does not count,
 * since it could take nothing up then. The round trip ends at the earliest the connection can have closed: at a read
 * of the socket table that no longer held it, or when the client's event loop began to be held up, if it was when it
 * saw the reset, though not before the signal.) Where the target's socket table was read, it decides instead: a request the
 * target had taken up is lost whatever its age, one it never took up is a refusal whatever its age. Where no read
 * decides, a TCP reset from the target does: it never read the request (see LedgerEntry.rst).
 */
export const UNANSWERED_CLOSE_MS = 50;

/** Closed unanswered once the signal was out: no response byte, the connection reset. */
const closedAtSignal = (e: LedgerEntry, signalAt: number) => e.outcome === 'reset' && e.firstByteMs === undefined && e.endMs >= signalAt;

/** Closed within a round trip of going out: by `closedMs`, the earliest it can have closed (its end as the client saw it, or before). */
const withinRoundTrip = (e: LedgerEntry, closedMs: number, frozen: Interval[]) => closedMs - e.sentMs - overlap(e.sentMs, closedMs, frozen) < UNANSWERED_CLOSE_MS;

type Interval = [number, number];

/** While paused, or cut off from its clients, the target could not take a request up: that time does not count. */
function unreachable(record: TrialRecord): Interval[] {
  return record.events
    .filter((e) => ((e.kind === 'pause' && e.to === undefined) || (e.kind === 'partition' && !e.between && e.direction !== 'out')) && e.deliveredMs !== undefined)
    .map((e) => [e.deliveredMs!, e.healedMs ?? Number.POSITIVE_INFINITY]);
}

/**
 * While a dependency was frozen, cut off from the target, or signalled (for good: it may have gone), the target
 * could not do what needs it: an error status or a timeout for a request in flight then is the target's honest
 * answer, not a loss. A signal to the target itself, or nothing at all, excuses nothing.
 */
export function dependencyFaults(record: Pick<TrialRecord, 'events'>): Interval[] {
  return record.events
    .filter((e) => e.deliveredMs !== undefined && (serviceOf(e) !== undefined || (e.kind === 'partition' && e.between)))
    .map((e) => (e.kind === 'pause' || e.kind === 'partition' ? mayHaveHeld(e) : [e.deliveredMs!, Number.POSITIVE_INFINITY]));
}

const failedByDependency = (e: LedgerEntry, faults: Interval[]) =>
  (isAnswer(e.outcome) || e.outcome === 'timeout') && overlap(e.sentMs, e.endMs, faults) > 0;

/** While the workload's own link to the target was cut, the network failed what was on it, not the target. */
function clientCuts(record: Pick<TrialRecord, 'events'>): Interval[] {
  return record.events
    .filter((e) => e.kind === 'partition' && !e.between && e.deliveredMs !== undefined)
    .map(mayHaveHeld);
}

/**
 * From when sigstorm began to apply a lasting fault until its undoing was complete: iptables rules go in and out one
 * by one, tens of milliseconds apart, so the fault may have held a little outside [deliveredMs, healedMs].
 */
const mayHaveHeld = (e: PlayedEvent): Interval => [e.scheduledMs, e.undoneMs ?? e.healedMs ?? Number.POSITIVE_INFINITY];

const failedByCut = (e: LedgerEntry, cuts: Interval[]) => e.outcome !== 'ok' && !isAnswer(e.outcome) && overlap(e.sentMs, e.endMs, cuts) > 0;

const overlap = (from: number, to: number, intervals: Interval[]) =>
  intervals.reduce((sum, [a, b]) => sum + Math.max(0, Math.min(to, b) - Math.max(from, a)), 0);

/**
 * Requests are lost when they were sent before the first terminating signal and did not end ok, or when any
 * response was truncated; under a stop model whose endpoints lag (Kubernetes), also when sent after the signal while
 * the endpoints still routed traffic to the target. Refusals seen after the signal are allowed, except within `no_refusals_for` of it.
 * What a partition of the workload's link failed (reset, refused, cut short or timed out while the cut held) is
 * the network's doing, and what failed while a dependency was down is the target's answer: neither is lost.
 */
export const lostRequests: Oracle = (record) => {
  // Writes and jobs are judged by acked-writes and jobs: with nothing else on the ledger, there is nothing to judge here.
  if (!record.ledger.some((e) => e.kind === 'request' || e.kind === 'stream')) return [];
  const at = stopMoments(record);
  const tally = tallyRequests(record, at);
  const counts = countOutcomes(record.ledger, at.signalAt);
  const results: OracleResult[] = [];
  if (tally.lost.length > 0) results.push(lostResult(record, at, tally, counts));
  if (tally.earlyRefusals.length > 0) results.push(refusedEarlyResult(at, tally.earlyRefusals, counts));
  if (results.length === 0) results.push(passResult(at, tally, counts));
  return results;
};

/** The instants the judgement turns on. */
interface StopMoments {
  first: SignalDelivery | undefined;
  /** When the first terminating signal was delivered (never, without one). */
  signalAt: number;
  /** Under a stop model with endpoint removal (Kubernetes): until when the endpoints still routed traffic to the target. */
  routedUntil: number | undefined;
  /** Until when a request sent was owed an answer. */
  owedUntil: number;
  /** `no_refusals_for`: how long after the signal a refusal still fails. */
  window: number;
  /** The signal in words, or `the exit` without one. */
  what: string;
  /** Under `force-exit`: when the second signal that forced the stop came (what was in flight then was cut by it). */
  forcedAt: number | undefined;
}

function stopMoments(record: TrialRecord): StopMoments {
  const first = firstTerminating(record);
  const signalAt = first?.deliveredMs ?? Number.POSITIVE_INFINITY;
  // Under a stop model with endpoint removal (Kubernetes), what the endpoints still sent the target was owed an
  // answer, after the signal too: a refusal then is a request a user lost.
  const routedUntil = trafficStoppedMs(record);
  const owedUntil = Math.max(signalAt, routedUntil ?? Number.NEGATIVE_INFINITY);
  const window = record.oracles.lost_requests.no_refusals_for;
  const what = first ? (first.label ?? `${first.signal} (+${Math.round(first.deliveredMs!)} ms)`) : 'the exit';
  return { first, signalAt, routedUntil, owedUntil, window, what, forcedAt: forcedStop(record)?.second.deliveredMs };
}

/** Sent while the endpoints still routed traffic to the target. */
const routed = (e: LedgerEntry, { routedUntil }: StopMoments) => routedUntil !== undefined && e.sentMs < routedUntil;

/** Milliseconds after the signal (after readiness, without one). */
const relative = (ms: number, { signalAt }: StopMoments) => (Number.isFinite(signalAt) ? Math.round(ms - signalAt) : Math.round(ms));

/** The requests sorted by how they count: lost, refused too early, or the three kinds of failure that are not losses. */
interface Tally {
  lost: LedgerEntry[];
  earlyRefusals: LedgerEntry[];
  /** Failed while a dependency was down. */
  excused: number;
  /** Failed while a partition cut the workload's link. */
  cutOff: number;
  /** Closed unanswered at the signal, counted as refusals. */
  unanswered: number;
  /** In flight at a second signal that forced the stop, as the scenario's `force-exit` accepts. */
  forced: number;
  /** How each request closed unanswered at the signal was decided, by id: from the socket table, or by the fallback. */
  decided: Map<number, string>;
  /** Refusals decided by the socket table, by the target's reset, and by the 50 ms fallback (with why there was no evidence). */
  bySockets: number;
  byReset: number;
  byFallback: number;
  fallbackWhy: string | undefined;
}

/**
 * A request closed unanswered at the signal: the moment it counts as refused (undefined: it was taken up, so it is
 * judged as any other failure), from the target's socket table, or by the 50 ms fallback where that has nothing.
 */
function unansweredAt(e: LedgerEntry, record: TrialRecord, at: StopMoments, view: SocketView, frozen: Interval[], tally: Tally): number | undefined {
  const refusedAt = Math.max(e.sentMs, at.signalAt);
  const up = uptakeOf(e, view, { notBeforeMs: at.signalAt, heldFromMs: heldFrom(record.loopLate, e.endMs) });
  if (up.taken !== undefined) {
    if (!up.taken) tally.bySockets++;
    tally.decided.set(e.id, `${up.taken ? 'taken up' : 'never taken up'}: ${up.how} (the target's socket table at ${relative(up.atMs, at)} ms)`);
    return up.taken ? undefined : refusedAt;
  }
  // No read decided it, and none saw the target accept it: a reset says the target's kernel still held the request
  // unread when it closed the connection (closing after reading it is an orderly close, "socket hang up").
  if (e.rst) {
    tally.byReset++;
    tally.decided.set(e.id, 'never read: the target reset its connection with the request unread, and no read of its socket table saw it accepted');
    return refusedAt;
  }
  const within = withinRoundTrip(e, up.closedMs, frozen);
  if (within) tally.byFallback++;
  tally.fallbackWhy ??= up.why;
  tally.decided.set(e.id, `decided by the ${UNANSWERED_CLOSE_MS} ms fallback (${within ? 'refused' : 'lost'}): no socket evidence, ${up.why}`);
  return within ? refusedAt : undefined;
}

/** Cut by the stop a second signal forced: in flight when it came (a request that failed before it is still lost). */
const cutByForcedStop = (e: LedgerEntry, { forcedAt }: StopMoments) => forcedAt !== undefined && e.outcome !== 'ok' && e.outcome !== 'refused' && e.sentMs < forcedAt && e.endMs >= forcedAt;

function tallyRequests(record: TrialRecord, at: StopMoments): Tally {
  const { signalAt, owedUntil, window } = at;
  const frozen = unreachable(record);
  const dependencyDown = dependencyFaults(record);
  const cuts = clientCuts(record);
  const view = socketView(record);
  const tally: Tally = { lost: [], earlyRefusals: [], excused: 0, cutOff: 0, unanswered: 0, forced: 0, decided: new Map(), bySockets: 0, byReset: 0, byFallback: 0, fallbackWhy: undefined };
  for (const e of record.ledger) {
    if (e.kind === 'write' || e.kind === 'job') continue; // an unacknowledged write or job was never promised
    // A refusal is dated when it was observed: the connect attempt itself goes out after `sentMs`.
    // Asked of the socket table only where the answer decides (not for a cut, a forced stop or a truncated reply).
    const unanswered =
      !failedByCut(e, cuts) && !cutByForcedStop(e, at) && e.outcome !== 'truncated' && !failedByDependency(e, dependencyDown) && closedAtSignal(e, signalAt) && !routed(e, at);
    const refusedAt = e.outcome === 'refused' ? e.endMs : unanswered ? unansweredAt(e, record, at, view, frozen, tally) : undefined;
    if (failedByCut(e, cuts)) tally.cutOff++;
    else if (cutByForcedStop(e, at)) tally.forced++;
    else if (e.outcome === 'truncated') tally.lost.push(e);
    else if (failedByDependency(e, dependencyDown)) tally.excused++;
    else if (refusedAt !== undefined && refusedAt >= signalAt && !routed(e, at)) {
      if (e.outcome !== 'refused') tally.unanswered++;
      if (refusedAt < signalAt + window) tally.earlyRefusals.push(e);
    } else if (e.sentMs < owedUntil && e.outcome !== 'ok') tally.lost.push(e);
  }
  return tally;
}

type Counts = ReturnType<typeof countOutcomes>;

/**
 * The failure is named after what most of its lost requests show: cut mid-answer (at least half truncated), or not
 * answered at all. Not after any one: a call that had begun to answer when a busy machine ran the handler late (1 of
 * 8 once in CI) would give the same bug two signatures, and the campaign two failures.
 */
const mostlyTruncated = (lost: LedgerEntry[]) => {
  const cut = lost.filter((e) => e.outcome === 'truncated').length;
  return cut > 0 && 2 * cut >= lost.length;
};

function lostResult(record: TrialRecord, at: StopMoments, tally: Tally, counts: Counts): OracleResult {
  const { first, signalAt, routedUntil, what } = at;
  const { lost, decided } = tally;
  const byOutcome = Object.entries(groupCount(lost.map((e) => e.outcome))).map(([o, n]) => `${n} ${o}`).join(', ');
  const e0 = lost[0]!;
  // A response cut before any terminating signal was cut by what came before it (a SIGHUP restart), not by the stop.
  const cutBefore = e0.endMs < signalAt ? signalDeliveries(record).filter((d) => d.deliveredMs <= e0.endMs).at(-1) : undefined;
  const around = cutBefore ? `${cutBefore.signal} (+${Math.round(cutBefore.deliveredMs)} ms)` : what;
  const sentRel = cutBefore ? Math.round(e0.sentMs - cutBefore.deliveredMs) : relative(e0.sentMs, at);
  // Sent after the stop signal, while the endpoints still routed new connections to the target.
  const lagged = lost.filter((e) => e.sentMs >= signalAt && routed(e, at));
  // The exit followed a later signal than the first (a second SIGINT that stopped it at once): say so.
  const later = first ? laterSignalEnded(record, first) : undefined;
  const ended = later ? `; the target exited at +${Math.round(record.exit.atMs)} ms, ${describeAttribution(later)}` : '';
  const lag = lagged.length > 0 && record.stop
    ? `; ${lagged.length} of them sent after the signal while the endpoints still routed traffic to the target (until +${Math.round(routedUntil!)} ms, ${Math.round(routedUntil! - record.stop.beganMs)} ms after the stop began)`
    : '';
  return {
    oracle: 'lost-requests',
    verdict: 'fail',
    // Named by what most of them show: one reply cut mid-way among resets (a handler that had just answered when a
    // forced stop came) is the same failure as the resets alone, and keeps one signature across runs.
    // Those sent after the signal while the endpoints still routed to the target are a loss of their own kind, counted
    // apart: responses cut among the rest still make it `truncated` (nginx's SIGTERM cutting downloads under a lag).
    kind: mostlyTruncated(lost.filter((e) => !lagged.includes(e))) ? 'truncated' : lagged.length > 0 ? 'endpoint-lag' : 'in-flight-lost',
    message:
      `${lost.length} request(s) lost around ${around}: ${byOutcome}; e.g. ${operationLabel(e0)} sent ` +
      `${first || cutBefore ? `${Math.abs(sentRel)} ms ${sentRel < 0 ? 'before' : 'after'} the signal` : `at +${Math.round(e0.sentMs)} ms`}, ` +
      outcomeLabel(e0) + (decided.has(e0.id) ? `, ${decided.get(e0.id)}` : '') + lag + ended + fallbackNote(tally, lost),
    evidence: {
      signal: first?.signal ?? null,
      signalMs: first?.deliveredMs ?? null,
      ...(cutBefore ? { cutAfter: { signal: cutBefore.signal, atMs: cutBefore.deliveredMs } } : {}),
      ...(routedUntil !== undefined ? { routedUntilMs: routedUntil, sentWhileRouted: lagged.length } : {}),
      ...(later ? { exitFollowed: { signal: later.last.signal, atMs: later.last.deliveredMs, nth: later.nth } } : {}),
      lost: lost.slice(0, 20).map((e) => describe(e, at, decided)),
      counts,
      refusalRule: refusalRule(tally),
    },
  };
}

/** How the requests closed unanswered at the signal were told apart, refusal from loss. */
const refusalRule = ({ bySockets, byReset, byFallback, fallbackWhy }: Tally) => ({
  bySocketTable: bySockets,
  ...(byReset ? { byReset } : {}),
  byFallback,
  ...(fallbackWhy ? { noEvidence: fallbackWhy } : {}),
});

/** Names the fallback where it decided any of `among`: the verdict then rests on a rule of thumb, not on evidence. */
function fallbackNote({ decided, fallbackWhy }: Tally, among: LedgerEntry[]): string {
  const byFallback = among.filter((e) => decided.get(e.id)?.startsWith('decided by'));
  if (byFallback.length === 0) return '';
  // The example names the fallback and why already when it was one of them.
  const why = byFallback[0] === among[0] ? '' : `: no socket evidence, ${fallbackWhy}`;
  return `; ${byFallback.length} of the ${among.length} decided by the ${UNANSWERED_CLOSE_MS} ms fallback${why}`;
}

function refusedEarlyResult(at: StopMoments, earlyRefusals: LedgerEntry[], counts: Counts): OracleResult {
  const { window, what } = at;
  const e0 = earlyRefusals[0]!;
  return {
    oracle: 'lost-requests',
    verdict: 'fail',
    kind: 'refused-early',
    message: `${earlyRefusals.length} connection(s) refused within ${window} ms after ${what} (first ${relative(e0.sentMs, at)} ms after it); the scenario demands none`,
    evidence: { windowMs: window, refused: earlyRefusals.slice(0, 20).map((e) => describe(e, at)), counts },
  };
}

function passResult({ what, forcedAt }: StopMoments, tally: Tally, counts: Counts): OracleResult {
  const { excused, cutOff, unanswered, forced, bySockets, byReset, byFallback, fallbackWhy } = tally;
  const how = [
    ...(unanswered && bySockets ? [`${bySockets} never taken up by the target, by its socket table`] : []),
    ...(unanswered && byReset ? [`${byReset} reset by the target with the request unread`] : []),
    ...(unanswered && byFallback ? [`${byFallback} decided by the ${UNANSWERED_CLOSE_MS} ms fallback: no socket evidence, ${fallbackWhy}`] : []),
  ];
  return {
    oracle: 'lost-requests',
    verdict: 'pass',
    message:
      `no request lost: ${counts.before.total} sent before ${what}, all answered in full` +
      `${unanswered ? ` (${unanswered} closed unanswered at the signal, as refusals: ${how.join('; ')})` : ''}` +
      `${excused ? ` (${excused} failed while a dependency was cut off, frozen or signalled: answers, not losses)` : ''}` +
      `${cutOff ? ` (${cutOff} failed on the network while the partition cut them off)` : ''}` +
      `${forced ? ` (${forced} cut by the stop the second signal forced at +${Math.round(forcedAt!)} ms, which \`force-exit\` accepts)` : ''}; ${counts.after.total} sent after`,
    evidence: { counts, closedUnanswered: unanswered, refusalRule: refusalRule(tally), failedByDependency: excused, failedByPartition: cutOff, ...(forced ? { cutByForcedStop: forced, forcedAtMs: forcedAt } : {}) },
  };
}

/** One request as evidence, its times relative to the signal. */
const describe = (e: LedgerEntry, at: StopMoments, decided?: Map<number, string>) => ({
  id: e.id,
  request: `${e.method} ${e.path}`,
  kind: e.kind,
  ...(e.protocol ? { protocol: e.protocol } : {}),
  connection: e.reused ? 'keep-alive (reused)' : e.connection,
  sentRelMs: relative(e.sentMs, at),
  endRelMs: relative(e.endMs, at),
  outcome: e.outcome,
  ...(e.status !== undefined ? { status: e.status } : {}),
  ...(e.code !== undefined ? { code: e.code } : {}),
  bytes: e.expectedBytes !== undefined ? `${e.bytes}/${e.expectedBytes}` : e.bytes,
  ...(e.error ? { error: e.error } : {}),
  ...(decided?.has(e.id) ? { decided: decided.get(e.id) } : {}),
});

function countOutcomes(ledger: LedgerEntry[], signalAt: number) {
  const side = (list: LedgerEntry[]) => ({ total: list.length, ...groupCount(list.map((e) => e.outcome)) });
  const requests = ledger.filter((e) => e.kind !== 'write' && e.kind !== 'job');
  return { before: side(requests.filter((e) => e.sentMs < signalAt)), after: side(requests.filter((e) => e.sentMs >= signalAt)) };
}

const groupCount = (items: string[]): Record<string, number> =>
  items.reduce<Record<string, number>>((acc, k) => ((acc[k] = (acc[k] ?? 0) + 1), acc), {});
