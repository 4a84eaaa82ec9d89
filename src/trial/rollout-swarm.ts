import { slotSteps, workersOf } from '../rollout/swarm.js';
import { sleep, sleepUntil } from '../time.js';
import type { Replica } from './replica.js';
import { startNew, stopOld, type RolloutRun } from './rollout-steps.js';

/**
 * compose's update_config as Swarm's updater plays it (rollout/swarm.ts): `parallelism` workers take the old replicas'
 * slots in turn; each updates its slot (stop-first: the old one stopped and gone, then the new one started and running;
 * start-first: the new one running, then the old one's stop begun) and waits `delay` before its next. The update is
 * complete `monitor` after the last new replica ran; the traffic goes on meanwhile, so a new replica that fails in that
 * time is in the record.
 */
export async function playSwarmUpdate(run: RolloutRun): Promise<void> {
  const { fleet } = run;
  const update = fleet.plan.update!;
  const stops: Promise<void>[] = [];
  const news: Replica[] = [];
  let next = 0;
  const worker = async () => {
    for (let k = next++; k < run.olds.length && !fleet.abort.aborted; k = next++) {
      let stopping: Promise<void> | undefined;
      let running: Promise<Replica> | undefined;
      for (const step of slotSteps(update.order)) {
        if (step === 'stop-old') stops.push((stopping = stopOld(run, k)));
        else if (step === 'old-gone') await stopping;
        else if (step === 'start-new') (running = startNew(fleet, `v2-${k + 1}`, run.spec, run.replicas)).catch(() => undefined);
        else news.push(await running!);
      }
      await sleep(update.delayMs, fleet.abort);
    }
  };
  await Promise.all(Array.from({ length: workersOf(update, run.olds.length) }, worker));
  await sleepUntil(Math.max(0, ...news.map((r) => r.readyMs ?? 0)) + update.monitorMs, fleet.abort);
  await Promise.all(stops);
}
