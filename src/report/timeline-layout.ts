import type { PlayedEvent } from '../schedule/played.js';
import type { TrialRecord } from '../trial/record.js';
import type { LedgerEntry } from '../workload/ledger.js';
import { shortLabel } from './timeline-text.js';

export const WIDTH = 1100;
export const LEFT = 112;
const RIGHT = 56;
export const PLOT = WIDTH - LEFT - RIGHT;
/** The height of one replica's lane (a rollout's, timeline-replicas.ts). */
export const LANE_HEIGHT = 14;

/** The time a trial's timeline spans, in ms after readiness. */
export interface TimeRange {
  t0: number;
  t1: number;
}

/** From the first request or sample (or readiness) to the last thing that happened: the exit, a request's end, an event. */
export function timeRange(record: TrialRecord): TimeRange {
  const lanes = record.rollout?.replicas ?? [];
  const t0 = Math.min(0, ...record.ledger.map((e) => e.sentMs), ...record.samples.map((s) => s.atMs), ...lanes.map((l) => l.startedMs));
  const ends = [
    record.exit.atMs,
    record.exit.killedAtMs ?? 0,
    ...record.ledger.map((e) => e.endMs),
    ...record.events.map((e) => e.healedMs ?? e.deliveredMs ?? e.scheduledMs),
    ...record.samples.map((s) => s.atMs),
    ...lanes.map((l) => l.exitMs ?? l.startedMs),
  ];
  return { t0, t1: Math.max(t0 + 10, ...ends) };
}

/** One range that covers every record: their timelines then share an axis. */
export function sharedRange(records: readonly TrialRecord[]): TimeRange {
  const ranges = records.map(timeRange);
  return { t0: Math.min(...ranges.map((r) => r.t0)), t1: Math.max(...ranges.map((r) => r.t1)) };
}

/** An event's label, placed: its left edge and its row under the events lane. */
export interface EventLabel {
  text: string;
  x: number;
  row: number;
}

/** Where everything of one timeline goes. Lanes top to bottom: axis, event labels, request rows, exit labels, samples panel, legend. */
export interface Layout {
  t0: number;
  /** The ms the plot's width stands for (a little more than the range, so the last marks do not touch the edge). */
  span: number;
  /** A time (ms after readiness) as an x coordinate. */
  x: (ms: number) => number;
  axisY: number;
  eventsTop: number;
  labels: EventLabel[];
  /** A rollout's replica lanes (timeline-replicas.ts), between the events and the requests (none without a rollout). */
  replicasTop: number;
  requestsTop: number;
  /** The row of each ledger entry, in ledger order. */
  rows: number[];
  rowHeight: number;
  exitY: number;
  samplesTop: number;
  samplesHeight: number;
  /** Where the plot ends: bands and lines across every lane reach down to here. */
  bottom: number;
  legendY: number;
  height: number;
}

export function timelineLayout(record: TrialRecord, { t0, t1 }: TimeRange): Layout {
  const span = (t1 - t0) * 1.03;
  const x = (ms: number) => LEFT + ((ms - t0) / span) * PLOT;
  const axisY = 22;
  const labels = layoutLabels(record.events, x);
  const eventsTop = axisY + 10;
  const labelRows = Math.max(1, ...labels.map((l) => l.row + 1));
  const replicasTop = eventsTop + labelRows * 15 + 8 + (record.rollout ? 14 : 0);
  const requestsTop = replicasTop + (record.rollout ? record.rollout.replicas.length * LANE_HEIGHT + 10 : 0);
  const rows = packRows(record.ledger);
  const rowCount = Math.max(1, Math.max(-1, ...rows) + 1);
  const rowHeight = Math.max(2, Math.min(9, 360 / rowCount));
  const requestsHeight = Math.max(24, rowCount * rowHeight);
  const exitY = requestsTop + requestsHeight + 16;
  const samplesTop = exitY + (record.exit.killedAtMs !== undefined ? 28 : 14);
  const samplesHeight = record.samples.length ? 90 : 0;
  const bottom = samplesTop + samplesHeight + (samplesHeight ? 22 : 0);
  const legendY = bottom + 6;
  const height = legendY + 22;
  return { t0, span, x, axisY, eventsTop, labels, replicasTop, requestsTop, rows, rowHeight, exitY, samplesTop, samplesHeight, bottom, legendY, height };
}

/** Rows for request bars: each request goes in the first row free at its send time (greedy interval packing). */
export function packRows(ledger: readonly LedgerEntry[]): number[] {
  const rowEnds: number[] = [];
  const order = ledger.map((e, i) => i).sort((a, b) => ledger[a]!.sentMs - ledger[b]!.sentMs);
  const rows = new Array<number>(ledger.length);
  for (const i of order) {
    const e = ledger[i]!;
    let row = rowEnds.findIndex((end) => end <= e.sentMs);
    if (row < 0) row = rowEnds.push(0) - 1;
    rowEnds[row] = e.endMs + 0.5;
    rows[i] = row;
  }
  return rows;
}

/** Event labels, moved down a row where they would overlap the one before. */
function layoutLabels(events: readonly PlayedEvent[], x: (ms: number) => number): EventLabel[] {
  const rowEnds: number[] = [];
  return events.map((e) => {
    const text = shortLabel(e);
    const width = text.length * 6.2;
    const at = x(e.deliveredMs ?? e.scheduledMs);
    // Near the right edge the label goes left of its marker.
    const left = at + 4 + width > LEFT + PLOT ? at - 4 - width : at + 4;
    let row = rowEnds.findIndex((end) => end < left);
    if (row < 0) row = rowEnds.push(0) - 1;
    rowEnds[row] = left + width + 6;
    return { text, x: left, row };
  });
}
