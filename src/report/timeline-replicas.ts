import type { ReplicaLane, RolloutRecord } from '../trial/record.js';
import { esc, f, FONT } from './svg.js';
import { LANE_HEIGHT, type Layout } from './timeline-layout.js';

// A rollout's replicas as lanes of the timeline, under the events: each from its start to its exit (or the trial's
// end), solid while the load balancer had it in rotation, its stop's beginning, signal and exit marked.

/** The lanes, top to bottom in the order the replicas started (old ones first). */
export function replicaLanes(rollout: RolloutRecord | undefined, endMs: number, { x, replicasTop }: Layout): string[] {
  if (!rollout) return [];
  const parts = [`<text x="8" y="${replicasTop - 2}" ${FONT} font-weight="600">replicas</text>`];
  rollout.replicas.forEach((lane, i) => {
    const y = replicasTop + 4 + i * LANE_HEIGHT;
    const until = lane.exitMs ?? endMs;
    const spans = inRotation(rollout, lane.name, endMs).map(
      ([from, to]) => `<rect x="${f(x(from))}" y="${f(y)}" width="${f(Math.max(1, x(to) - x(from)))}" height="8" fill="${lane.version === 'v1' ? '#78909c' : '#26a69a'}"/>`,
    );
    const tick = (ms: number | undefined, colour: string) =>
      ms === undefined ? '' : `<line x1="${f(x(ms))}" y1="${f(y - 2)}" x2="${f(x(ms))}" y2="${f(y + 10)}" stroke="${colour}" stroke-width="2"/>`;
    parts.push(
      `<g class="replica-lane" data-replica="${esc(lane.name)}"><title>${esc(describeLane(lane))}</title>` +
        `<text x="8" y="${f(y + 8)}" fill="#455a64" ${FONT}>${esc(lane.name)}</text>` +
        `<rect x="${f(x(lane.startedMs))}" y="${f(y + 3)}" width="${f(Math.max(1, x(until) - x(lane.startedMs)))}" height="2" fill="#cfd8dc"/>` +
        spans.join('') +
        tick(lane.stopBeganMs, '#8e24aa') +
        tick(lane.signalMs, '#e53935') +
        tick(lane.exitMs, '#212121') +
        '</g>',
    );
  });
  return parts;
}

/** The spans a replica was in the balancer's rotation, from the rotation's changes. */
export function inRotation(rollout: RolloutRecord, replica: string, endMs: number): [number, number][] {
  const spans: [number, number][] = [];
  let since: number | undefined;
  for (const c of rollout.rotation.filter((r) => r.replica === replica)) {
    if (c.change === 'in' && since === undefined) since = c.atMs;
    if (c.change === 'out' && since !== undefined) spans.push([since, c.atMs]), (since = undefined);
  }
  if (since !== undefined) spans.push([since, endMs]);
  return spans;
}

const at = (label: string, ms: number | undefined) => (ms === undefined ? [] : [`${label} +${Math.round(ms)} ms`]);

function describeLane(lane: ReplicaLane): string {
  const steps = [
    ...at('started', lane.startedMs),
    ...at('ready', lane.readyMs),
    ...at('stop began', lane.stopBeganMs),
    ...(lane.endpointLagMs !== undefined ? [`endpoint lag ${Math.round(lane.endpointLagMs)} ms`] : []),
    ...at('signal', lane.signalMs),
    ...at(`exit ${lane.status ?? ''}`.trim(), lane.exitMs),
  ];
  return `${lane.name} (${lane.version}): ${steps.join(', ')}`;
}
