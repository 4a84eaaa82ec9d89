import type { SimulatedStep, SwarmUpdate } from './plan.js';

// compose's `deploy.update_config` as Docker Swarm's updater plays it (swarmkit's manager/orchestrator/update): the
// old tasks' slots go to `parallelism` workers; each worker updates one slot at a time and waits `delay` before its
// next. stop-first: the old task is shut down and gone before its replacement starts; start-first: the replacement is
// running (healthy, where it has a health check) before the old one is shut down, without waiting for it to go. The
// update counts as complete once the last new tasks have run for `monitor` without failing. Pure: the trial plays it
// (trial/rollout-swarm.ts).

/** The steps of one slot's update, in order. */
export type SlotStep = 'stop-old' | 'old-gone' | 'start-new' | 'new-running';

export const slotSteps = (order: SwarmUpdate['order']): SlotStep[] =>
  order === 'stop-first' ? ['stop-old', 'old-gone', 'start-new', 'new-running'] : ['start-new', 'new-running', 'stop-old'];

/** Slots updated at once: `parallelism`, 0 meaning every slot (as Swarm reads it). */
export const workersOf = (update: Pick<SwarmUpdate, 'parallelism'>, replicas: number): number =>
  update.parallelism === 0 ? replicas : Math.min(update.parallelism, replicas);

/**
 * The bounds the update keeps, in a RollingUpdate's terms (for the capacity oracle and the description): stop-first
 * takes up to `workers` replicas out at once and adds none; start-first adds as many before it takes any out.
 */
export function swarmBounds(update: Pick<SwarmUpdate, 'parallelism' | 'order'>, replicas: number): { maxSurge: number; maxUnavailable: number } {
  const workers = workersOf(update, replicas);
  return update.order === 'stop-first' ? { maxSurge: 0, maxUnavailable: workers } : { maxSurge: workers, maxUnavailable: 0 };
}

/**
 * The update's steps on paper, from its beginning, when every new replica is running `readyMs` after its start and
 * every old one gone `goneMs` after its stop began: the workers move in step, slot after slot. `available` marks a
 * new replica running; the update is complete `monitorMs` after the last.
 */
export function simulateSwarmUpdate(update: SwarmUpdate, replicas: number, readyMs: number, goneMs: number): SimulatedStep[] {
  const workers = workersOf(update, replicas);
  const steps: SimulatedStep[] = [];
  const clock = Array<number>(workers).fill(0);
  for (let slot = 0; slot < replicas; slot++) {
    const w = slot % workers;
    let at = clock[w]!;
    const [oldName, newName] = [`v1-${slot + 1}`, `v2-${slot + 1}`];
    for (const step of slotSteps(update.order)) {
      if (step === 'stop-old') steps.push({ atMs: at, move: 'stop-old', replica: oldName });
      else if (step === 'old-gone') at += goneMs;
      else if (step === 'start-new') steps.push({ atMs: at, move: 'start-new', replica: newName });
      else steps.push({ atMs: (at += readyMs), move: 'available', replica: newName });
    }
    clock[w] = at + update.delayMs;
  }
  return steps.sort((a, b) => a.atMs - b.atMs);
}
