import type { StartedTarget } from '../backends/target.js';
import { now } from '../time.js';
import type { ProcessSample } from './record.js';

const SAMPLE_EVERY_MS = 100;
const MAX_SAMPLES = 600;

/** /proc samples of a target's processes, as they are taken; `sample` takes one now, `stop` ends the ticks. */
export interface Sampler {
  samples: ProcessSample[];
  sample: () => void;
  stop: () => void;
}

/** /proc samples of a target's processes every 100 ms (and whenever asked), at most 600 of them. */
export function startSampler(target: StartedTarget, readyMs: number): Sampler {
  const samples: ProcessSample[] = [];
  let lastTargets = '';
  const sample = () => {
    if (samples.length >= MAX_SAMPLES) return;
    const atMs = now() - readyMs;
    const processes = target.processes();
    // The main process's fd targets only where they changed: the record stays small over 600 samples.
    const main = processes.find((p) => p.pid === target.pid);
    if (main?.fdTargets) {
      const key = JSON.stringify(main.fdTargets);
      if (key === lastTargets) delete main.fdTargets;
      else lastTargets = key;
    }
    samples.push({ atMs, processes });
  };
  sample();
  const timer = setInterval(sample, SAMPLE_EVERY_MS);
  return { samples, sample, stop: () => clearInterval(timer) };
}
