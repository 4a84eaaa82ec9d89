import type { Readable } from 'node:stream';
import { GenericContainer, type WaitStrategy } from 'testcontainers';
import type { ContainerForm, Target } from '../../scenario/types.js';
import type { StartContext } from '../backend.js';
import type { LogBuffer } from '../logs.js';
import { neverPull } from './image.js';

/** testcontainers has no builder method for `docker run --init`; the host config is ours to extend. */
class TargetContainer extends GenericContainer {
  withInit(init: boolean): this {
    this.hostConfig.Init = init;
    return this;
  }

  /** Published on loopback only: a target under attack is nobody else's business. */
  withLoopbackPorts(...ports: number[]): this {
    this.withExposedPorts(...ports);
    for (const bindings of Object.values(this.hostConfig.PortBindings ?? {})) {
      for (const binding of bindings as { HostIp?: string }[]) binding.HostIp = '127.0.0.1';
    }
    return this;
  }
}

/** sigstorm probes readiness itself, the same way on both backends; testcontainers only starts the container. */
const startedIsEnough: WaitStrategy = {
  waitUntilReady: async () => undefined,
  withStartupTimeout() {
    return this;
  },
  isStartupTimeoutSet: () => false,
  getStartupTimeout: () => 0,
};

/** The container of one trial, ready to start: labelled, ports on loopback, never pulled, output into `logs`. */
export function targetContainer(image: string, target: Target, form: ContainerForm, context: StartContext, logs: LogBuffer): GenericContainer {
  let builder = new TargetContainer(image)
    .withLabels(context.labels)
    .withEnvironment({ ...(target.dataDir ? { DATA_DIR: target.dataDir } : {}), ...form.environment })
    .withLoopbackPorts(...form.ports)
    .withPullPolicy(neverPull)
    .withWaitStrategy(startedIsEnough)
    .withInit(form.init)
    .withLogConsumer((stream: Readable) => {
      stream.on('data', (chunk: Buffer | string) => logs.write('stdout', chunk));
    });
  if (target.dataDir) builder = builder.withBindMounts([{ source: context.dataDir, target: target.dataDir, mode: 'rw' }]);
  if (form.command) builder = builder.withCommand(form.command);
  if (form.entrypoint) builder = builder.withEntrypoint(form.entrypoint);
  return builder;
}
