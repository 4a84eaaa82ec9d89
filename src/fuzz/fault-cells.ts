import { fromSpawn, servicesOf, type FaultEvent, type Schedule } from '../schedule/event.js';
import type { Scenario } from '../scenario/types.js';
import type { SignalName } from '../signals.js';
import { stopModelOf } from '../stop-models/registry.js';
import type { ExploredCells } from '../report/fuzz-report.js';

// How much of a fault space a campaign has covered, in a measure a person can read: the space is cut into cells,
// one per (event kind × time on the `step` grid from readiness to the horizon), and the schedules tried mark the
// cells their events fall in. Event kinds are what the arbitrary (src/fuzz/arbitrary.ts) draws, at the level a person
// names them: a signal, a race, a storm, a pause, a partition, an orchestrator's stop; "→db" for a dependency's.
// Events timed from spawn (the start-up window) fall outside the grid and are not counted.

type Space = Pick<Scenario, 'faults' | 'expect' | 'target'> & Partial<Pick<Scenario, 'dependencies' | 'stop'>>;

/** The kind of an event, as the cells name it: "SIGTERM", "race", "storm", "pause", "partition", "stop", "SIGTERM→db". */
export function kindOf(event: FaultEvent, targetName: string): string {
  const base = event.kind === 'signal' ? event.signal : event.kind;
  const services = servicesOf(event).filter((s) => s !== targetName);
  return services.length ? `${base}→${services.join('+')}` : base;
}

/** The event kinds a scenario's fault space can draw, in the arbitrary's order (the mildest first). */
export function faultKinds(space: Space): string[] {
  const { faults, expect } = space;
  const signals = [...new Set([space.target.stopSignal, ...faults.signals])].filter((s) => faults.signals.includes(s));
  const terminating = signals.filter((s) => s === 'SIGKILL' || expect[s]?.kind === 'exit');
  const survivable = signals.filter((s) => expect[s]?.kind === 'alive');
  const race = faults.races && terminating.length >= 2 ? ['race'] : [];
  const storm = faults.storms && survivable.length > 0 ? ['storm'] : [];
  const lasting = [...(faults.pauses ? ['pause'] : []), ...(faults.partitions ? ['partition'] : [])];
  const hints = space.stop ? stopModelOf(space.stop).fuzz(space.stop) : undefined;
  if (hints?.drawsStop) {
    // The model's stop, the faults the target must survive around it, and perhaps a second terminating signal after it.
    const second = hints.signalAfterMs !== undefined && terminating.length ? [...terminating, ...race] : [];
    return ['stop', ...survivable, ...storm, ...lasting, ...second];
  }
  return [...signals, ...race, ...storm, ...lasting, ...(space.dependencies ?? []).flatMap((d) => dependencyKinds(d, space))];
}

function dependencyKinds(d: NonNullable<Space['dependencies']>[number], space: Space): string[] {
  const kinds: string[] = [];
  if (space.faults.services.includes(d.name)) {
    const declared = Object.keys(d.expect) as SignalName[];
    kinds.push(...[...new Set([d.stopSignal, ...declared])].map((s) => `${s}→${d.name}`));
    if (space.faults.pauses) kinds.push(`pause→${d.name}`);
  }
  if (space.faults.partitions) kinds.push(`partition→${d.name}`);
  return kinds;
}

/** The cells of one fault space, and those the schedules noted so far fell in. */
export class FaultCells {
  private readonly kinds: string[];
  private readonly steps: number;
  private readonly drawn = new Map<string, Set<number>>();
  private latest: number | null = null;

  constructor(private readonly space: Space) {
    this.kinds = faultKinds(space);
    this.steps = Math.max(1, Math.floor(space.faults.horizon / space.faults.step));
  }

  /** Marks the cells of a schedule's events (timed from readiness; a time past the horizon counts only as the latest). */
  note(schedule: Schedule): void {
    for (const event of schedule) {
      if (fromSpawn(event)) continue;
      this.latest = Math.max(this.latest ?? 0, event.at);
      const cell = Math.floor(event.at / this.space.faults.step);
      if (cell < 0 || cell > this.steps) continue;
      const kind = kindOf(event, this.space.target.name);
      const cells = this.drawn.get(kind) ?? new Set<number>();
      this.drawn.set(kind, cells.add(cell));
    }
  }

  /** Cells drawn so far (of kinds the space holds), and how many it holds. */
  count(): { drawn: number; total: number } {
    const drawn = this.kinds.reduce((n, kind) => n + (this.drawn.get(kind)?.size ?? 0), 0);
    return { drawn, total: this.kinds.length * (this.steps + 1) };
  }

  summary(): ExploredCells {
    const { drawn, total } = this.count();
    return {
      cells: drawn,
      totalCells: total,
      kinds: this.kinds.map((kind) => ({ kind, cells: this.drawn.get(kind)?.size ?? 0 })),
      stepMs: this.space.faults.step,
      horizonMs: this.space.faults.horizon,
      latestMs: this.latest,
    };
  }
}
