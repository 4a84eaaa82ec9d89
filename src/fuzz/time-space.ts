import type { FaultSpace } from '../scenario/types.js';
import type { Activity } from './activity.js';

/**
 * Where a campaign draws event times (ms after readiness), as generation reads it. The scenario's fault space gives
 * the start (`faults.horizon`, `faults.step`); what the campaign has seen moves it: the horizon grows to cover the
 * target's latest new activity, and a share of times scouts past it. Plain data, a pure function of what was seen
 * (`timeSpaceOf`), so the seed and the observations decide the schedules drawn.
 */
export interface TimeSpace {
  /** Most times are drawn within this. */
  horizon: number;
  /** One time in six is drawn up to here (> horizon), to see whether the target does anything new there; = horizon: no scouting. */
  scout: number;
}

/** What a campaign has seen, in the order fast-check judged its schedules. */
export interface Seen {
  /** The target's latest new activity over the trials of the schedules judged (activity.ts). */
  latest?: Activity;
  /** Schedules exploring has judged. */
  judged: number;
}

/**
 * Scouting waits for this many schedules: the first ones are drawn as a scenario's fault space always drew them, so a
 * seed still finds, and replays, what it found before within them; broad bugs surface there.
 */
export const SCOUT_AFTER = 10;
/** A grown horizon covers the activity plus this many steps: a window opened by it is drawn whole. */
export const MARGIN_STEPS = 8;

/** The time space of a fault space before anything was seen: what `scheduleArbitrary` draws without a campaign. */
export const initialTimeSpace = (space: Pick<FaultSpace, 'horizon' | 'step'>): TimeSpace => ({ horizon: space.horizon, scout: space.horizon });

/**
 * The time space after `seen`: the horizon covers the latest new activity plus MARGIN_STEPS (on the step grid, at most
 * `horizonMax`, never below `horizon`); once SCOUT_AFTER schedules were judged, scouting reaches twice the horizon (at
 * most `horizonMax`).
 */
export function timeSpaceOf(space: Pick<FaultSpace, 'horizon' | 'horizonMax' | 'step'>, seen: Seen): TimeSpace {
  const { step, horizonMax } = space;
  const covering = seen.latest ? Math.ceil((seen.latest.atMs + MARGIN_STEPS * step) / step) * step : 0;
  const horizon = Math.min(horizonMax, Math.max(space.horizon, covering));
  const scout = seen.judged >= SCOUT_AFTER ? Math.max(horizon, Math.min(horizonMax, 2 * horizon)) : horizon;
  return { horizon, scout };
}
