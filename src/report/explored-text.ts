import type { Explored } from './fuzz-report.js';

const pct = (part: number, whole: number) => `${whole ? Math.round((part / whole) * 100) : 0}%`;

/** How far exploring went, in a few words: "212/366 cells (58%)". */
export const describeCells = (e: Pick<Explored, 'cells' | 'totalCells'>): string => `${e.cells}/${e.totalCells} cells (${pct(e.cells, e.totalCells)})`;

const ENDED: Record<Explored['endedBy'], string> = {
  failure: 'at the first confirmed failure',
  budget: 'with the budget (the time left was kept to estimate and confirm a failure found last)',
  runs: 'at the --runs limit',
  interrupted: 'interrupted',
};

/**
 * The whole of it, for the text summary: "explored 212 of 366 cells of the fault space (58%: 6 event kinds × 61
 * times 25 ms apart; events up to +1500 ms of the 1500 ms horizon) in 54.2 s, ending with the budget (…)".
 */
export function describeExplored(e: Explored): string {
  const kinds = e.kinds.length;
  const times = kinds ? e.totalCells / kinds : 0;
  const latest = e.latestMs === null ? 'no event timed from readiness' : `events up to +${e.latestMs} ms of the ${e.horizonMs} ms horizon`;
  return (
    `explored ${e.cells} of ${e.totalCells} cells of the fault space (${pct(e.cells, e.totalCells)}: ${kinds} event kind(s) × ${times} times ${e.stepMs} ms apart; ${latest}) ` +
    `in ${(e.durationMs / 1000).toFixed(1)} s, ending ${ENDED[e.endedBy]}`
  );
}
