import { badInput } from '../../errors.js';
import type { Target } from '../../scenario/types.js';
import type { Backend, StartContext } from '../backend.js';
import { runPrepare } from '../prepare.js';
import type { StartedTarget } from '../target.js';
import { loopbackNetwork } from './network.js';
import { startProcess } from './started-process.js';

/** Runs the target as a local process in its own session and process group (detached). */
export const processBackend: Backend = {
  name: 'process',
  prepare: runPrepare,
  async start(target: Target, context: StartContext): Promise<StartedTarget> {
    const form = target.process;
    if (!form) throw badInput(`scenario ${context.scenario} has no \`target.process\` form: use --backend docker`);
    return startProcess(form, context, target.cpus !== undefined);
  },
  network: loopbackNetwork,
};
