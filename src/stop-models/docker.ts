import { z } from 'zod';
import type { SignalName } from '../signals.js';
import { secondsText, type StopModelDef } from './model.js';

/** `docker stop -t`: the stop signal to PID 1, SIGKILL after the grace period. */
export interface DockerStop {
  model: 'docker';
  signal: SignalName;
  graceMs: number;
}

const schema = z
  .strictObject({ model: z.literal('docker') })
  .meta({ description: '`docker stop`: the target\'s stop_signal to PID 1, SIGKILL after stop_grace_period (the default)' });

/** The default model: the target's stop_signal and stop_grace_period, as `docker stop` plays them. sigstorm is its orchestrator. */
export const docker: StopModelDef<DockerStop, z.output<typeof schema>> = {
  name: 'docker',
  schema,
  resolve: (_written, _file, target) => ({ model: 'docker', signal: target.stop_signal, graceMs: target.stop_grace_period }),
  contract: (s) => ({ signal: s.signal, graceMs: s.graceMs }),
  plan: (s) => ({
    orchestrator: 'docker',
    hooks: [],
    signals: [{ signal: s.signal, to: 'main' }],
    grace: { ms: s.graceMs },
    ending: { waitFor: 'gone', finalKill: { signal: 'SIGKILL', to: 'all' } },
  }),
  // Every schedule ends with docker stop anyway: it is drawn as without a model.
  fuzz: (s) => ({ drawsStop: false, signalAfterMs: 0, longestMs: s.graceMs }),
  describe: (s) => `docker: ${s.signal}, SIGKILL after ${secondsText(s.graceMs)}`,
  stepsInReports: false,
};
