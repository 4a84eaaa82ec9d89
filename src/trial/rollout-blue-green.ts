import { now, sleepUntil } from '../time.js';
import { rotationPort } from './replica.js';
import { startNew, stopOld, type RolloutRun } from './rollout-steps.js';

/**
 * Blue-green: every new replica started and probed while held out of the rotation, until all are available; then the
 * switch (not before the schedule's first stop event): every old replica's stop begins at once, and after the lag
 * (`endpoint_lag`, as a Service's changed selector takes a while to reach the proxies) the balancer takes every new
 * replica in and every old one out, in one change.
 */
export async function playBlueGreen(run: RolloutRun): Promise<void> {
  const { fleet } = run;
  const { balancer } = fleet;
  const news = await Promise.all(Array.from({ length: fleet.plan.replicas }, (_, i) => startNew(fleet, `v2-${i + 1}`, run.spec, run.replicas, true)));
  const when = run.timing[0] ?? { notBeforeMs: 0, lagMs: run.lagMs };
  await sleepUntil(fleet.originMs + when.notBeforeMs, fleet.abort);
  const switchMs = now();
  const why = `switched ${Math.round(when.lagMs)} ms after the old replicas' stop began`;
  const switched = sleepUntil(switchMs + when.lagMs, fleet.abort).then(async () => {
    if (fleet.abort.aborted) return;
    // New ones first: the rotation is never empty between the two halves of the switch.
    for (const r of news) {
      r.held = false;
      await balancer.add(r.name, rotationPort(r), why);
    }
    for (const r of run.olds) await balancer.remove(r.name, why);
  });
  switched.catch(() => undefined); // awaited by each stop
  // Each old one's stop with the switch's lag: the k-th timing's own lag would not move the one switch.
  const lagged = { ...run, timing: run.olds.map(() => ({ notBeforeMs: 0, lagMs: when.lagMs })) };
  await Promise.all(run.olds.map((_, k) => stopOld(lagged, k, switched)));
}
