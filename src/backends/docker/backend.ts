import { badInput } from '../../errors.js';
import { own } from '../../leftovers/tracked.js';
import type { Target } from '../../scenario/types.js';
import { now } from '../../time.js';
import type { Backend, StartContext } from '../backend.js';
import { LogBuffer } from '../logs.js';
import { runPrepare } from '../prepare.js';
import type { StartedTarget } from '../target.js';
import { engineStamped, followLogs } from './container-logs.js';
import { dockerClient, reaperResolved } from './engine.js';
import { imageFor } from './image.js';
import { stackNetwork } from './network.js';
import { startedContainer } from './started-container.js';
import { targetContainer } from './target-container.js';

/** Runs the target as a container (testcontainers), reached through Dockerode for signals, pauses and waits. */
export const dockerBackend: Backend = {
  name: 'docker',
  async prepare(target: Target) {
    if (!target.container) throw badInput('the scenario has no container form (`image` or `build`): use --backend process');
    await runPrepare(target);
    await imageFor(target.container);
  },
  async start(target: Target, context: StartContext): Promise<StartedTarget> {
    const form = target.container;
    if (!form) throw badInput(`scenario ${context.scenario} has no container form (\`image\` or \`build\`): use --backend process`);
    const client = await dockerClient();
    const image = await imageFor(form);
    const logs = new LogBuffer(2000, engineStamped);
    const builder = targetContainer(image, target, form, context);
    await reaperResolved(client);

    const owned = own({ kind: 'container', run: context.runId });
    const requestedAtMs = now();
    let started: Awaited<ReturnType<typeof builder.start>>;
    try {
      started = await builder.start();
    } catch (error) {
      // Created but not started (a port, a mount, the engine going away): remove it by its label.
      if (await removeRun(context.runId, context.instance)) owned.released();
      throw error;
    }
    const container = client.container.getById(started.getId());
    // Without its output the trial still stands (a diagnosis then reads none), as when the engine cannot follow it.
    await followLogs(container, logs).catch(() => undefined);
    const port = form.ports[0] !== undefined ? target.ready.port ?? form.ports[0] : undefined;
    return startedContainer({
      container,
      id: started.getId(),
      image,
      form,
      endpoint: port !== undefined ? { host: '127.0.0.1', port: started.getMappedPort(port) } : undefined,
      ...(form.ports[0] !== undefined ? { hostPort: started.getMappedPort(form.ports[0]) } : {}),
      ...tcpPortOf(target, form),
      logs,
      requestedAtMs,
      owned,
      ...(context.network?.name ? { network: context.network.name } : {}),
    });
  },
  network: stackNetwork,
};

/** The container port a TCP readiness probe connects to (on the container's own address: see forTcp), if it has one. */
function tcpPortOf(target: Target, form: NonNullable<Target['container']>): { tcpPort?: number } {
  const tcp = target.ready.tcp;
  const port = tcp === undefined ? undefined : tcp === true ? (target.ready.port ?? form.ports[0]) : tcp;
  return port !== undefined ? { tcpPort: port } : {};
}

/**
 * Removes every container of one trial, or of one instance of it (a rollout's replica: the others it started stay);
 * false when the engine could not be asked.
 */
async function removeRun(runId: string, instance?: string): Promise<boolean> {
  try {
    const docker = (await dockerClient()).container.dockerode;
    const label = [`sigstorm.run=${runId}`, ...(instance ? [`sigstorm.instance=${instance}`] : [])];
    const found = await docker.listContainers({ all: true, filters: { label } });
    await Promise.all(found.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true })));
    return true;
  } catch {
    return false;
  }
}
