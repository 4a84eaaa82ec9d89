import type { TrialRecord } from '../trial/record.js';
import { esc, f } from './svg.js';
import { WIDTH, timeRange, timelineLayout, type TimeRange } from './timeline-layout.js';
import { eventMarks, exitMarks, faultBands, laneTitles, legend, requestBars, stopBands, timeAxis } from './timeline-marks.js';
import { replicaLanes } from './timeline-replicas.js';
import { samplesPanel } from './timeline-samples.js';

export { esc } from './svg.js';
export { packRows, sharedRange, timeRange, type TimeRange } from './timeline-layout.js';
export { OUTCOME_COLOURS } from './timeline-marks.js';
export { describeRequest, ledgerSummary } from './timeline-text.js';

/**
 * A trial as an SVG timeline, one monotonic clock (ms after readiness) across: the events as markers (pauses and
 * partitions as bands), every request as a bar coloured by its outcome (light while waiting for the first byte,
 * solid while receiving), the target's exit (and sigstorm's SIGKILL), and the main process's open fds and the
 * target's process count from the /proc samples. Plain SVG, no script: it renders anywhere. Give `range` (from
 * `sharedRange`) to draw several trials on one time axis, so they compare at a glance.
 */
export function timelineSvg(record: TrialRecord, range: TimeRange = timeRange(record)): string {
  const layout = timelineLayout(record, range);
  // Painted in this order: bands behind everything, then the axis, requests, events and the exit over them.
  const parts = [
    ...faultBands(record.events, layout),
    ...stopBands(record.stop, layout),
    ...timeAxis(layout),
    ...laneTitles(record.ledger, layout),
    ...requestBars(record.ledger, layout),
    ...replicaLanes(record.rollout, range.t1, layout),
    ...eventMarks(record.events, layout),
    ...exitMarks(record, layout),
  ];
  if (record.samples.length) parts.push(samplesPanel(record, layout.x, layout.samplesTop, layout.samplesHeight));
  parts.push(legend(record.ledger, layout.legendY));

  const { t0, t1 } = range;
  const height = layout.height;
  return (
    `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${f(height)}" width="${WIDTH}" height="${f(height)}" role="img" ` +
    `aria-label="timeline of trial ${esc(record.runId)}" data-events="${record.events.length}" data-requests="${record.ledger.length}" data-axis="${f(t0)} ${f(t1)}">` +
    `<rect width="100%" height="100%" fill="#fff"/>${parts.join('')}</svg>`
  );
}
