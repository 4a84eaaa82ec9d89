import { anchorOf, type FaultEvent } from '../schedule/event.js';
import type { Workload } from './types.js';

/**
 * Events timed from a request (`after: {request}`) wait for the workload's HTTP traffic: one needs HTTP traffic in
 * the scenario, and its `path`, when given, must be one the traffic sends to (else it could never play). One problem
 * per event, at its key path under the schedule.
 */
export function requestAnchorProblems(schedule: readonly FaultEvent[], workload: Workload): { at: (string | number)[]; message: string }[] {
  const paths = [...new Set([...workload.requests, ...workload.streams, ...(workload.writes ? [workload.writes] : [])].map((s) => s.path.split('?')[0]!))];
  return schedule.flatMap((event, i) => {
    const anchor = anchorOf(event);
    if (!anchor || !('request' in anchor)) return [];
    if (paths.length === 0) return [{ at: [i, 'after', 'request'], message: 'an event timed from a request needs HTTP traffic in the workload (`workload.requests`, `streams` or `writes`)' }];
    if (anchor.path !== undefined && !paths.includes(anchor.path)) {
      return [{ at: [i, 'after', 'path'], message: `expected a path the workload sends HTTP requests to: ${paths.join(', ')}` }];
    }
    return [];
  });
}
