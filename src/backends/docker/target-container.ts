import { GenericContainer, type WaitStrategy } from 'testcontainers';
import type { ContainerForm, Healthcheck, Target } from '../../scenario/types.js';
import type { StartContext } from '../backend.js';
import { neverPull } from './image.js';

/** testcontainers has no builder method for `docker run --init`; the host config is ours to extend. */
class TargetContainer extends GenericContainer {
  withInit(init: boolean): this {
    this.hostConfig.Init = init;
    return this;
  }

  /** compose's healthcheck, run by the engine (testcontainers' own setter knows no start interval). */
  withEngineHealthcheck(check: Healthcheck): this {
    const ns = (ms: number | undefined) => (ms === undefined ? 0 : ms * 1e6);
    this.createOpts.Healthcheck = {
      Test: check.test,
      Interval: ns(check.intervalMs),
      Timeout: ns(check.timeoutMs),
      Retries: check.retries ?? 0,
      StartPeriod: ns(check.startPeriodMs),
      StartInterval: ns(check.startIntervalMs),
    } as typeof this.createOpts.Healthcheck;
    return this;
  }

  /**
   * Created on the stack network, found there by its service name. (testcontainers' own aliases create it on the
   * default bridge and connect it after: on two networks, each exit and removal took ~150 ms longer, measured.)
   */
  withStackNetwork(network: string, alias: string): this {
    this.withNetworkMode(network);
    this.createOpts.NetworkingConfig = { EndpointsConfig: { [network]: { Aliases: [alias] } } };
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

/** The container of one trial, ready to start: labelled, ports on loopback, never pulled (its output: container-logs.ts). */
export function targetContainer(image: string, target: Target, form: ContainerForm, context: StartContext): TargetContainer {
  let builder = new TargetContainer(image)
    .withLabels({ ...context.labels, 'sigstorm.service': target.name, ...(context.instance ? { 'sigstorm.instance': context.instance } : {}) })
    .withEnvironment({ ...(target.dataDir ? { DATA_DIR: target.dataDir } : {}), ...form.environment, ...context.environment })
    .withLoopbackPorts(...form.ports)
    .withPullPolicy(neverPull)
    .withWaitStrategy(startedIsEnough)
    .withInit(form.init);
  if (target.dataDir) builder = builder.withBindMounts([{ source: context.dataDir, target: target.dataDir, mode: 'rw' }]);
  if (form.command) builder = builder.withCommand(form.command);
  if (form.entrypoint) builder = builder.withEntrypoint(form.entrypoint);
  if (form.healthcheck) builder = builder.withEngineHealthcheck(form.healthcheck);
  // A CFS quota: the container gets this share of CPU time however idle the machine is.
  if (target.cpus !== undefined) builder = builder.withResourcesQuota({ cpu: target.cpus });
  // On the stack network the others find it by its service name.
  if (context.network?.name) builder = builder.withStackNetwork(context.network.name, target.name);
  return builder;
}
