import { describeStatus, killer } from '../oracles/terminating.js';
import type { PlayedEvent } from '../schedule/played.js';
import type { TrialRecord } from '../trial/record.js';
import type { LedgerEntry, Outcome } from '../workload/ledger.js';
import { f, esc, FONT } from './svg.js';
import { LEFT, PLOT, type Layout } from './timeline-layout.js';
import { describePlayed, describeRequest } from './timeline-text.js';

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

/** Bands for pauses and partitions, drawn first: behind everything. */
export function faultBands(events: readonly PlayedEvent[], { x, eventsTop, bottom }: Layout): string[] {
  const parts: string[] = [];
  events.forEach((e) => {
    if ((e.kind === 'pause' || e.kind === 'partition') && e.deliveredMs !== undefined) {
      const end = e.healedMs ?? e.deliveredMs + e.duration;
      const fill = e.kind === 'pause' ? '#bbdefb' : '#ffe0b2';
      parts.push(`<rect class="band band-${e.kind}" x="${f(x(e.deliveredMs))}" y="${eventsTop}" width="${f(Math.max(1, x(end) - x(e.deliveredMs)))}" height="${bottom - eventsTop}" fill="${fill}" opacity="0.55"/>`);
    }
  });
  return parts;
}

/** A stop model's spans: its hook running, and new connections still arriving after the stop began. */
export function stopBands(stop: TrialRecord['stop'], { x, eventsTop, bottom }: Layout): string[] {
  if (!stop) return [];
  const parts: string[] = [];
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
  return parts;
}

/** The time axis with its gridlines, and the line of readiness (time 0). */
export function timeAxis({ t0, span, x, axisY, bottom }: Layout): string[] {
  const parts: string[] = [];
  const step = niceStep(span / 10);
  parts.push(`<line x1="${LEFT}" y1="${axisY}" x2="${LEFT + PLOT}" y2="${axisY}" stroke="#9e9e9e"/>`);
  for (let t = Math.ceil(t0 / step) * step; t <= t0 + span; t += step) {
    parts.push(`<line x1="${f(x(t))}" y1="${axisY}" x2="${f(x(t))}" y2="${bottom}" stroke="#eeeeee"/>`);
    parts.push(`<text x="${f(x(t))}" y="${axisY - 6}" text-anchor="middle" fill="#616161" ${FONT}>${formatMs(t, step)}</text>`);
  }
  parts.push(`<text x="8" y="${axisY - 6}" fill="#616161" ${FONT}>after ready</text>`);
  parts.push(`<line class="ready" x1="${f(x(0))}" y1="${axisY}" x2="${f(x(0))}" y2="${bottom}" stroke="#2e7d32" stroke-dasharray="2 3"/>`);
  return parts;
}

/** The titles of the events and requests lanes. */
export function laneTitles(ledger: readonly LedgerEntry[], { eventsTop, requestsTop }: Layout): string[] {
  return [
    `<text x="8" y="${eventsTop + 11}" ${FONT} font-weight="600">events</text>`,
    `<text x="8" y="${requestsTop + 11}" ${FONT} font-weight="600">${ledger.every((e) => !e.protocol) ? 'requests' : 'operations'}</text>`,
    `<text x="8" y="${requestsTop + 25}" fill="#757575" ${FONT}>${ledger.length} in all</text>`,
  ];
}

/** Every request as a bar in its row: light while waiting for the first byte, solid while receiving. */
export function requestBars(ledger: readonly LedgerEntry[], { x, requestsTop, rows, rowHeight }: Layout): string[] {
  return ledger.map((e, i) => {
    const y = requestsTop + rows[i]! * rowHeight;
    const h = Math.max(1.5, rowHeight - (rowHeight > 4 ? 2 : 0.5));
    const colour = OUTCOME_COLOURS[e.outcome];
    const x0 = x(e.sentMs);
    const w = Math.max(1.5, x(e.endMs) - x0);
    const split = e.firstByteMs !== undefined ? Math.min(x0 + w, Math.max(x0, x(e.firstByteMs))) : undefined;
    const solid = split !== undefined ? `<rect x="${f(split)}" y="${f(y)}" width="${f(Math.max(1, x0 + w - split))}" height="${f(h)}" fill="${colour}"/>` : '';
    return (
      `<g class="request outcome-${e.outcome}" data-id="${e.id}" data-outcome="${e.outcome}">` +
      `<title>${esc(describeRequest(e))}</title>` +
      `<rect x="${f(x0)}" y="${f(y)}" width="${f(w)}" height="${f(h)}" fill="${colour}" opacity="${split === undefined ? 0.9 : 0.4}"/>${solid}</g>`
    );
  });
}

/** Events: a line across every lane, a marker and a label (with a tick for each delivery after the first). */
export function eventMarks(events: readonly PlayedEvent[], { x, eventsTop, bottom, labels }: Layout): string[] {
  return events.map((e, i) => {
    const at = e.deliveredMs ?? e.scheduledMs;
    const colour = e.error && e.deliveredMs === undefined ? '#9e9e9e' : e.origin === 'schedule' ? '#1565c0' : '#546e7a';
    const label = labels[i]!;
    const ticks = (e.deliveries ?? []).slice(1).map((d) => `<line x1="${f(x(d.atMs))}" y1="${eventsTop}" x2="${f(x(d.atMs))}" y2="${eventsTop + 6}" stroke="${colour}"/>`);
    return (
      `<g class="event event-${e.kind}" data-index="${i}" data-kind="${e.kind}" data-origin="${e.origin}">` +
      `<title>${esc(describePlayed(e))}</title>` +
      `<line x1="${f(x(at))}" y1="${eventsTop}" x2="${f(x(at))}" y2="${bottom}" stroke="${colour}" stroke-width="1.2" stroke-dasharray="${e.deliveredMs === undefined ? '3 3' : '6 3'}"/>` +
      ticks.join('') +
      `<path d="M${f(x(at) - 5)},${eventsTop} h10 l-5,7 z" fill="${colour}"/>` +
      `<text x="${f(label.x)}" y="${eventsTop + 19 + label.row * 15}" fill="${colour}" ${FONT}>${esc(label.text)}</text></g>`
    );
  });
}

/** The exit, sigstorm's SIGKILL if it needed one, and the lane's title. */
export function exitMarks(record: TrialRecord, { x, eventsTop, bottom, exitY }: Layout): string[] {
  const exit = record.exit;
  const parts = [
    `<g class="exit" data-status="${exit.status}"><title>${esc(`exit ${describeStatus(exit.status)} at +${Math.round(exit.atMs)} ms`)}</title>` +
      `<line x1="${f(x(exit.atMs))}" y1="${eventsTop}" x2="${f(x(exit.atMs))}" y2="${bottom}" stroke="#b71c1c" stroke-width="2"/>` +
      `<circle cx="${f(x(exit.atMs))}" cy="${exitY - 4}" r="4" fill="#b71c1c"/>` +
      // A rollout's own "exit" is when it was over: its replicas' exits are in their lanes.
      `<text x="${f(x(exit.atMs) - 7)}" y="${exitY}" text-anchor="end" fill="#b71c1c" ${FONT} font-weight="600">${record.rollout ? 'rollout done' : `exit ${esc(describeStatus(exit.status))}`} +${Math.round(exit.atMs)} ms</text></g>`,
  ];
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
  return parts;
}

/** Each outcome's colour and count (faded when none), and how to read a bar. */
export function legend(ledger: readonly LedgerEntry[], y: number): string {
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

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-3)));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
}

const formatMs = (ms: number, step: number) => (step >= 1000 ? `${+(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
