import { anchorOf, fromSpawn, type Schedule } from '../schedule/event.js';
import type { FaultSpace } from '../scenario/types.js';
import type { Activity } from './activity.js';

/**
 * Where a campaign draws event times (ms after readiness), as generation reads it. The scenario's fault space gives
 * the start (`faults.horizon`, `faults.step`); what the campaign has seen moves it: the horizon grows to cover the
 * target's latest new activity, a share of times scouts past it, and, around the times of failures met, times are
 * drawn on a finer grid (a failure boundary is suspected there). Plain data, a pure function of what was seen
 * (`timeSpaceOf`), so the seed and the observations decide the schedules drawn.
 */
export interface TimeSpace {
  /** Most times are drawn within this. */
  horizon: number;
  /** One time in six is drawn up to here (> horizon), to see whether the target does anything new there; = horizon: no scouting. */
  scout: number;
  /** The times of failing schedules' events (ms after readiness): a share of times is drawn within NEAR_STEPS steps of one. */
  near: number[];
  /** The grid there (ms): the step cut into FINE_PARTS. */
  fine: number;
  /** Lines the target printed on its own (activity.ts): once scouting, some signals are timed from one of them. */
  anchors?: string[];
  /** Files the target wrote on its own (activity.ts): once scouting, some signals are timed from a write of one (`after: {file}`). */
  files?: string[];
  /** Once scouting, some signals are timed from a request of the workload's HTTP streams (`after: {request}`). */
  requestAnchors?: true;
  /**
   * Once scouting, the instants the target's rhythm first showed itself (ms after readiness, the latest MAX_NEAR kinds):
   * a share of times is drawn within a step of one, to the ms. A window that a flush, reopen or renewal opens sits
   * right there, often narrower than the step, and the grid alone meets it only by jitter.
   */
  activity?: number[];
}

/** What a campaign has seen, in the order fast-check judged its schedules. */
export interface Seen {
  /** The target's latest new activity over the trials of the schedules judged (activity.ts). */
  latest?: Activity;
  /** Schedules exploring has judged. */
  judged: number;
  /** The schedules that failed while exploring (first failures, confirmed or not), in the order met. */
  failing?: Schedule[];
  /** Lines the judged schedules' trials saw the target print on its own, in the order first seen. */
  anchors?: string[];
  /** Files they saw it write in its data directory, in the order first seen (name parts without digits). */
  files?: string[];
  /** Each kind of the target's own activity with its instant in the first judged trial that showed it (activity.ts). */
  rhythm?: Activity[];
}

/**
 * Scouting waits for this many schedules: the first ones are drawn as a scenario's fault space always drew them, so a
 * seed still finds, and replays, what it found before within them; broad bugs surface there.
 */
export const SCOUT_AFTER = 10;
/** A grown horizon covers the activity plus this many steps: a window opened by it is drawn whole. */
export const MARGIN_STEPS = 8;

/** Around a suspected boundary: this many steps on either side, each cut into FINE_PARTS. */
export const NEAR_STEPS = 4;
export const FINE_PARTS = 5;
/** At most this many suspected boundaries: the first failures' event times. */
const MAX_NEAR = 4;
/** At most this many lines, and as many files, to time events from: the first seen. */
const MAX_ANCHORS = 6;

/** The time space of a fault space before anything was seen: what `scheduleArbitrary` draws without a campaign. */
export const initialTimeSpace = (space: Pick<FaultSpace, 'horizon' | 'step'>): TimeSpace => ({ horizon: space.horizon, scout: space.horizon, near: [], fine: space.step });

/**
 * The time space after `seen`: the horizon covers the latest new activity plus MARGIN_STEPS (on the step grid, at most
 * `horizonMax`, never below `horizon`); once SCOUT_AFTER schedules were judged, scouting reaches twice the horizon (at
 * most `horizonMax`); the failing schedules' times (from readiness, the first MAX_NEAR) are the suspected boundaries; once
 * scouting, the first MAX_ANCHORS lines and files seen are anchors, and so are the workload's requests, and the instants of the
 * latest MAX_NEAR kinds of the target's own activity are drawn around.
 */
export function timeSpaceOf(space: Pick<FaultSpace, 'horizon' | 'horizonMax' | 'step'>, seen: Seen): TimeSpace {
  const { step, horizonMax } = space;
  const covering = seen.latest ? Math.ceil((seen.latest.atMs + MARGIN_STEPS * step) / step) * step : 0;
  const horizon = Math.min(horizonMax, Math.max(space.horizon, covering));
  const scout = seen.judged >= SCOUT_AFTER ? Math.max(horizon, Math.min(horizonMax, 2 * horizon)) : horizon;
  const near = [...new Set((seen.failing ?? []).flatMap((s) => s.filter((e) => !fromSpawn(e) && !anchorOf(e)).map((e) => e.at)))].slice(0, MAX_NEAR);
  const scouting = seen.judged >= SCOUT_AFTER;
  const anchors = scouting ? (seen.anchors ?? []).slice(0, MAX_ANCHORS) : [];
  const files = scouting ? (seen.files ?? []).slice(0, MAX_ANCHORS) : [];
  const latestKinds = [...(seen.rhythm ?? [])].sort((a, b) => b.atMs - a.atMs || (a.what < b.what ? -1 : 1)).slice(0, MAX_NEAR);
  const activity = scouting && latestKinds.length ? [...new Set(latestKinds.map((a) => Math.round(a.atMs)))] : undefined;
  return {
    horizon,
    scout,
    near,
    fine: near.length ? Math.max(1, Math.round(step / FINE_PARTS)) : step,
    ...(anchors.length ? { anchors } : {}),
    ...(files.length ? { files } : {}),
    ...(scouting ? { requestAnchors: true as const } : {}),
    ...(activity !== undefined ? { activity } : {}),
  };
}
