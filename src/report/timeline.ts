import { describeStatus, killer } from '../oracles/terminating.js';
import type { PlayedEvent } from '../schedule/played.js';
import type { TrialRecord } from '../trial/record.js';
import type { LedgerEntry, Outcome } from '../workload/ledger.js';

/** Outcome colours of request bars (also used by the HTML legend). */
export const OUTCOME_COLOURS: Record<Outcome, string> = {
  ok: '#43a047',
  refused: '#fb8c00',
  reset: '#e53935',
  truncated: '#8e24aa',
  timeout: '#6d4c41',
  'http-error': '#d81b60',
  'rpc-error': '#ad1457',
  'wrong-reply': '#f06292',
};

const WIDTH = 1100;
const LEFT = 112;
const RIGHT = 56;
const PLOT = WIDTH - LEFT - RIGHT;
const FONT = 'font-family="system-ui, sans-serif" font-size="11"';

/**
 * A trial as an SVG timeline, one monotonic clock (ms after readiness) across: the events as markers (pauses and
 * partitions as bands), every request as a bar coloured by its outcome (light while waiting for the first byte,
 * solid while receiving), the target's exit (and sigstorm's SIGKILL), and the main process's open fds and the
 * target's process count from the /proc samples. Plain SVG, no script: it renders anywhere. Give `range` (from
 * `sharedRange`) to draw several trials on one time axis, so they compare at a glance.
 */
export function timelineSvg(record: TrialRecord, range: TimeRange = timeRange(record)): string {
  const { t0, t1 } = range;
  const span = (t1 - t0) * 1.03;
  const x = (ms: number) => LEFT + ((ms - t0) / span) * PLOT;
  const parts: string[] = [];

  // Layout, top to bottom: axis, event labels, request rows, exit labels, samples panel, legend.
  const axisY = 22;
  const labels = layoutLabels(record.events, x);
  const eventsTop = axisY + 10;
  const labelRows = Math.max(1, ...labels.map((l) => l.row + 1));
  const requestsTop = eventsTop + labelRows * 15 + 8;
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

  // Bands for pauses and partitions, behind everything.
  record.events.forEach((e) => {
    if ((e.kind === 'pause' || e.kind === 'partition') && e.deliveredMs !== undefined) {
      const end = e.healedMs ?? e.deliveredMs + e.duration;
      const fill = e.kind === 'pause' ? '#bbdefb' : '#ffe0b2';
      parts.push(`<rect class="band band-${e.kind}" x="${f(x(e.deliveredMs))}" y="${eventsTop}" width="${f(Math.max(1, x(end) - x(e.deliveredMs)))}" height="${bottom - eventsTop}" fill="${fill}" opacity="0.55"/>`);
    }
  });

  // A stop model's spans: its hook running, and new connections still arriving after the stop began.
  const stop = record.stop;
  if (stop) {
    const at = (step: string) => stop.steps.find((st) => st.step === step)?.atMs;
    const band = (cls: string, from: number | undefined, to: number | undefined, fill: string, title: string) => {
      if (from === undefined || to === undefined) return;
      parts.push(
        `<g class="band ${cls}"><title>${esc(title)}</title><rect x="${f(x(from))}" y="${eventsTop}" width="${f(Math.max(1, x(to) - x(from)))}" height="${bottom - eventsTop}" fill="${fill}" opacity="0.45"/></g>`,
      );
    };
    const routed = at('traffic-stop');
    band('band-routed', stop.beganMs, routed, '#c8e6c9', `the endpoints still sent new connections: +${Math.round(stop.beganMs)} to +${Math.round(routed ?? 0)} ms`);
    const hookStart = at('hook-start');
    const hookEnd = at('hook-end');
    band('band-hook', hookStart, hookEnd, '#e1bee7', `stop hook: +${Math.round(hookStart ?? 0)} to +${Math.round(hookEnd ?? 0)} ms`);
  }

  // Time axis with gridlines.
  const step = niceStep(span / 10);
  parts.push(`<line x1="${LEFT}" y1="${axisY}" x2="${LEFT + PLOT}" y2="${axisY}" stroke="#9e9e9e"/>`);
  for (let t = Math.ceil(t0 / step) * step; t <= t0 + span; t += step) {
    parts.push(`<line x1="${f(x(t))}" y1="${axisY}" x2="${f(x(t))}" y2="${bottom}" stroke="#eeeeee"/>`);
    parts.push(`<text x="${f(x(t))}" y="${axisY - 6}" text-anchor="middle" fill="#616161" ${FONT}>${formatMs(t, step)}</text>`);
  }
  parts.push(`<text x="8" y="${axisY - 6}" fill="#616161" ${FONT}>after ready</text>`);
  parts.push(`<line class="ready" x1="${f(x(0))}" y1="${axisY}" x2="${f(x(0))}" y2="${bottom}" stroke="#2e7d32" stroke-dasharray="2 3"/>`);

  // Lane titles.
  parts.push(`<text x="8" y="${eventsTop + 11}" ${FONT} font-weight="600">events</text>`);
  parts.push(`<text x="8" y="${requestsTop + 11}" ${FONT} font-weight="600">${record.ledger.every((e) => !e.protocol) ? 'requests' : 'operations'}</text>`);
  parts.push(`<text x="8" y="${requestsTop + 25}" fill="#757575" ${FONT}>${record.ledger.length} in all</text>`);

  // Requests.
  record.ledger.forEach((e, i) => {
    const y = requestsTop + rows[i]! * rowHeight;
    const h = Math.max(1.5, rowHeight - (rowHeight > 4 ? 2 : 0.5));
    const colour = OUTCOME_COLOURS[e.outcome];
    const x0 = x(e.sentMs);
    const w = Math.max(1.5, x(e.endMs) - x0);
    const split = e.firstByteMs !== undefined ? Math.min(x0 + w, Math.max(x0, x(e.firstByteMs))) : undefined;
    const solid = split !== undefined ? `<rect x="${f(split)}" y="${f(y)}" width="${f(Math.max(1, x0 + w - split))}" height="${f(h)}" fill="${colour}"/>` : '';
    parts.push(
      `<g class="request outcome-${e.outcome}" data-id="${e.id}" data-outcome="${e.outcome}">` +
        `<title>${esc(describeRequest(e))}</title>` +
        `<rect x="${f(x0)}" y="${f(y)}" width="${f(w)}" height="${f(h)}" fill="${colour}" opacity="${split === undefined ? 0.9 : 0.4}"/>${solid}</g>`,
    );
  });

  // Events: a line across every lane, a marker and a label.
  record.events.forEach((e, i) => {
    const at = e.deliveredMs ?? e.scheduledMs;
    const colour = e.error && e.deliveredMs === undefined ? '#9e9e9e' : e.origin === 'schedule' ? '#1565c0' : '#546e7a';
    const label = labels[i]!;
    const ticks = (e.deliveries ?? []).slice(1).map((d) => `<line x1="${f(x(d.atMs))}" y1="${eventsTop}" x2="${f(x(d.atMs))}" y2="${eventsTop + 6}" stroke="${colour}"/>`);
    parts.push(
      `<g class="event event-${e.kind}" data-index="${i}" data-kind="${e.kind}" data-origin="${e.origin}">` +
        `<title>${esc(describePlayed(e))}</title>` +
        `<line x1="${f(x(at))}" y1="${eventsTop}" x2="${f(x(at))}" y2="${bottom}" stroke="${colour}" stroke-width="1.2" stroke-dasharray="${e.deliveredMs === undefined ? '3 3' : '6 3'}"/>` +
        ticks.join('') +
        `<path d="M${f(x(at) - 5)},${eventsTop} h10 l-5,7 z" fill="${colour}"/>` +
        `<text x="${f(label.x)}" y="${eventsTop + 19 + label.row * 15}" fill="${colour}" ${FONT}>${esc(label.text)}</text></g>`,
    );
  });

  // The exit, and sigstorm's SIGKILL if it needed one.
  const exit = record.exit;
  parts.push(
    `<g class="exit" data-status="${exit.status}"><title>${esc(`exit ${describeStatus(exit.status)} at +${Math.round(exit.atMs)} ms`)}</title>` +
      `<line x1="${f(x(exit.atMs))}" y1="${eventsTop}" x2="${f(x(exit.atMs))}" y2="${bottom}" stroke="#b71c1c" stroke-width="2"/>` +
      `<circle cx="${f(x(exit.atMs))}" cy="${exitY - 4}" r="4" fill="#b71c1c"/>` +
      `<text x="${f(x(exit.atMs) - 7)}" y="${exitY}" text-anchor="end" fill="#b71c1c" ${FONT} font-weight="600">exit ${esc(describeStatus(exit.status))} +${Math.round(exit.atMs)} ms</text></g>`,
  );
  if (exit.killedAtMs !== undefined) {
    const kx = x(exit.killedAtMs);
    const by = killer(record);
    parts.push(
      `<g class="sigkill"><title>SIGKILL by ${esc(by)} at +${Math.round(exit.killedAtMs)} ms${exit.lingering.length ? `; still running then: ${esc(exit.lingering.map((p) => `${p.comm} (${p.pid})`).join(', '))}` : ''}</title>` +
        `<path d="M${f(kx)},${exitY + 4} l5,8 h-10 z" fill="#000"/>` +
        `<text x="${f(kx - 7)}" y="${exitY + 13}" text-anchor="end" ${FONT}>SIGKILL by ${esc(by)} +${Math.round(exit.killedAtMs)} ms</text></g>`,
    );
  }
  parts.push(`<text x="8" y="${exitY}" ${FONT} font-weight="600">exit</text>`);

  if (record.samples.length) parts.push(samplesPanel(record, x, samplesTop, samplesHeight));
  parts.push(legend(record.ledger, legendY));

  return (
    `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${f(height)}" width="${WIDTH}" height="${f(height)}" role="img" ` +
    `aria-label="timeline of trial ${esc(record.runId)}" data-events="${record.events.length}" data-requests="${record.ledger.length}" data-axis="${f(t0)} ${f(t1)}">` +
    `<rect width="100%" height="100%" fill="#fff"/>${parts.join('')}</svg>`
  );
}

/** The time a trial's timeline spans, in ms after readiness. */
export interface TimeRange {
  t0: number;
  t1: number;
}

/** From the first request or sample (or readiness) to the last thing that happened: the exit, a request's end, an event. */
export function timeRange(record: TrialRecord): TimeRange {
  const t0 = Math.min(0, ...record.ledger.map((e) => e.sentMs), ...record.samples.map((s) => s.atMs));
  const ends = [
    record.exit.atMs,
    record.exit.killedAtMs ?? 0,
    ...record.ledger.map((e) => e.endMs),
    ...record.events.map((e) => e.healedMs ?? e.deliveredMs ?? e.scheduledMs),
    ...record.samples.map((s) => s.atMs),
  ];
  return { t0, t1: Math.max(t0 + 10, ...ends) };
}

/** One range that covers every record: their timelines then share an axis. */
export function sharedRange(records: readonly TrialRecord[]): TimeRange {
  const ranges = records.map(timeRange);
  return { t0: Math.min(...ranges.map((r) => r.t0)), t1: Math.max(...ranges.map((r) => r.t1)) };
}

/** The main process's open fds and the target's process count, each on its own scale (left: fds, right: processes). */
function samplesPanel(record: TrialRecord, x: (ms: number) => number, top: number, height: number): string {
  const mainPid = record.target.pid;
  const points = record.samples.map((s) => {
    const main = s.processes.find((p) => p.pid === mainPid) ?? s.processes[0];
    const kinds = main?.fdKinds ? ` (${Object.entries(main.fdKinds).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ')})` : '';
    return { atMs: s.atMs, fds: main?.fds ?? null, kinds, processes: s.processes.filter((p) => p.state !== 'Z').length, zombies: s.processes.filter((p) => p.state === 'Z').length };
  });
  // Scales with room above the highest value, and different for the two lines, so flat lines do not hide each other.
  const maxFds = Math.ceil(Math.max(1, ...points.map((p) => p.fds ?? 0)) * 1.25);
  const maxProcs = Math.max(1, ...points.map((p) => p.processes + p.zombies)) + 1;
  // Headroom at the top for the scale labels.
  const yFds = (v: number) => top + height - (v / maxFds) * (height - 18);
  const yProcs = (v: number) => top + height - (v / maxProcs) * (height - 18);
  const out: string[] = [`<g class="samples" data-samples="${points.length}">`];
  out.push(`<rect x="${LEFT}" y="${top}" width="${PLOT}" height="${height}" fill="none" stroke="#e0e0e0"/>`);
  out.push(`<text x="8" y="${top + 11}" ${FONT} font-weight="600">/proc samples</text>`);
  out.push(`<text x="8" y="${top + 26}" fill="#00838f" ${FONT}>— open fds (main)</text>`);
  out.push(`<text x="8" y="${top + 40}" fill="#6a1b9a" ${FONT}>— processes</text>`);
  out.push(`<text x="${LEFT + 6}" y="${top + 11}" fill="#00838f" ${FONT}>open fds, scale 0–${maxFds}</text>`);
  out.push(`<text x="${LEFT + PLOT - 4}" y="${top + 11}" text-anchor="end" fill="#6a1b9a" ${FONT}>processes, scale 0–${maxProcs}</text>`);
  out.push(`<text x="${LEFT + 6}" y="${top + height - 3}" fill="#00838f" ${FONT}>0</text>`);
  const fdPoints = points.filter((p) => p.fds !== null);
  if (fdPoints.length) {
    out.push(`<polyline class="fds" fill="none" stroke="#00838f" stroke-width="1.6" points="${fdPoints.map((p) => `${f(x(p.atMs))},${f(yFds(p.fds!))}`).join(' ')}"/>`);
  }
  out.push(`<polyline class="processes" fill="none" stroke="#6a1b9a" stroke-width="1.6" stroke-dasharray="4 2" points="${points.map((p) => `${f(x(p.atMs))},${f(yProcs(p.processes))}`).join(' ')}"/>`);
  for (const p of points) {
    out.push(
      `<circle class="sample" cx="${f(x(p.atMs))}" cy="${f(yProcs(p.processes))}" r="${p.zombies ? 3.5 : 1.8}" fill="${p.zombies ? '#d50000' : '#6a1b9a'}">` +
        `<title>+${Math.round(p.atMs)} ms: ${p.processes} process(es)${p.zombies ? `, ${p.zombies} zombie(s)` : ''}, main fds ${p.fds ?? '?'}${p.kinds}</title></circle>`,
    );
  }
  out.push('</g>');
  return out.join('');
}

function legend(ledger: LedgerEntry[], y: number): string {
  const counts = new Map<Outcome, number>();
  for (const e of ledger) counts.set(e.outcome, (counts.get(e.outcome) ?? 0) + 1);
  let cx = LEFT;
  const out = [`<g class="legend">`];
  for (const [outcome, colour] of Object.entries(OUTCOME_COLOURS) as [Outcome, string][]) {
    const n = counts.get(outcome) ?? 0;
    const text = `${outcome} ${n}`;
    out.push(`<rect x="${cx}" y="${y}" width="12" height="10" fill="${colour}" opacity="${n ? 1 : 0.25}"/>`);
    out.push(`<text x="${cx + 16}" y="${y + 9}" fill="${n ? '#212121' : '#9e9e9e'}" ${FONT}>${text}</text>`);
    cx += 16 + text.length * 6.5 + 18;
  }
  out.push(`<text x="${cx + 8}" y="${y + 9}" fill="#757575" ${FONT}>light: waiting for the first byte · solid: receiving</text>`);
  out.push('</g>');
  return out.join('');
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
function layoutLabels(events: readonly PlayedEvent[], x: (ms: number) => number): { text: string; x: number; row: number }[] {
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

function shortLabel(e: PlayedEvent): string {
  const stop = e.origin === 'teardown' || e.origin === 'stop' ? ' (stop)' : '';
  const missed = e.deliveredMs === undefined ? ' ✗' : '';
  switch (e.kind) {
    case 'signal':
      return `${e.signal}→${e.to}${stop}${missed}`;
    case 'race':
      return `race ${e.signals.join('+')}${stop}${missed}`;
    case 'storm':
      return `storm ${e.count}× ${[...new Set(e.signals)].join('/')}${missed}`;
    case 'pause':
      return `pause ${e.duration} ms${missed}`;
    case 'partition':
      return `partition ${e.direction} ${e.duration} ms${missed}`;
    case 'stop':
      return `stop begins${e.endpoint_delay !== undefined ? ` (endpoints lag ${Math.round(e.endpoint_delay)} ms)` : ''}${missed}`;
  }
}

function describePlayed(e: PlayedEvent): string {
  const when = e.deliveredMs !== undefined ? `delivered +${Math.round(e.deliveredMs)} ms${e.via ? ` via ${e.via}` : ''}` : `not delivered: ${e.error ?? 'unknown'}`;
  const healed = e.healedMs !== undefined ? `, healed +${Math.round(e.healedMs)} ms` : '';
  return `${shortLabel(e)}: scheduled +${Math.round(e.scheduledMs)} ms, ${when}${healed}${e.pids?.length ? `, pids ${e.pids.join(' ')}` : ''}`;
}

/** The hover text of one operation: what it was (kind and protocol), how it ended (status), and when. */
export function describeRequest(e: LedgerEntry): string {
  const fb = e.firstByteMs !== undefined ? `first byte +${Math.round(e.firstByteMs)} ms, ` : 'no reply byte, ';
  const status = e.code !== undefined ? ` ${e.code}` : e.status !== undefined ? ` ${e.status}` : '';
  const bytes = e.expectedBytes !== undefined ? `, ${e.bytes}/${e.expectedBytes} bytes` : `, ${e.bytes} bytes`;
  const what = [e.protocol ?? 'http', e.kind, e.connection, ...(e.reused ? ['reused'] : [])].join(', ');
  return `#${e.id} ${e.method} ${e.path} (${what}): ${e.outcome}${status} — sent +${Math.round(e.sentMs)} ms, ${fb}end +${Math.round(e.endMs)} ms${bytes}${e.error ? `; ${e.error}` : ''}`;
}

/** The ledger in a few words: `62 request(s)`, or `40 tcp, 12 job(s)` when other kinds are in it. */
export function ledgerSummary(ledger: readonly LedgerEntry[]): string {
  if (ledger.every((e) => !e.protocol)) return `${ledger.length} request(s)`;
  const counts = new Map<string, number>();
  for (const e of ledger) {
    const what = e.kind === 'job' ? 'job(s)' : `${e.protocol ?? 'http'} ${e.kind === 'stream' ? 'stream(s)' : e.kind === 'write' ? 'write(s)' : 'request(s)'}`;
    counts.set(what, (counts.get(what) ?? 0) + 1);
  }
  return [...counts].map(([what, n]) => `${n} ${what}`).join(', ');
}

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-3)));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
}

const formatMs = (ms: number, step: number) => (step >= 1000 ? `${+(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
const f = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

export const esc = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
