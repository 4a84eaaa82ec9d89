import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Backend, StackMember, StackNetwork, StartContext } from '../backends/backend.js';
import type { StartedTarget } from '../backends/target.js';
import type { FaultTarget } from '../faults/player.js';
import { journal } from '../leftovers/journal.js';
import { waitReady } from '../probes/ready.js';
import { recipientOf, type Schedule } from '../schedule/event.js';
import type { Dependency, Scenario, Target } from '../scenario/types.js';

/** A dependency of the target, started and ready. */
export interface StartedDependency {
  spec: Dependency;
  started: StartedTarget;
  /** When it was ready (the trial's monotonic clock). */
  readyMs: number;
}

/** The services of one trial: the target, what it depends on, the network between them, and the faults they take. */
export interface Stack extends AsyncDisposable {
  target: StartedTarget;
  dependencies: StartedDependency[];
  faults: FaultTarget;
  /**
   * The target started a second time, over the same data directory, on the same network and handed the same
   * addresses, beside the dependencies still up: the read-back's instance, never faulted nor judged. Its caller
   * stops and removes it.
   */
  restartTarget(): Promise<StartedTarget>;
}

export interface StackOptions {
  scenario: Scenario;
  backend: Backend;
  schedule: Schedule;
  context: Omit<StartContext, 'partitions' | 'network' | 'environment' | 'dependency'>;
  signal?: AbortSignal;
}

/**
 * Starts the stack the way compose would: each dependency after those it needs, once ready (its probe, its
 * healthcheck, or merely started), handed the addresses of what it needs; the target last. Whatever was started is
 * removed again when starting fails half-way. Readiness of the target itself is the trial's to wait for.
 */
export async function startStack({ scenario, backend, schedule, context, signal }: StackOptions): Promise<Stack> {
  const partitioned = schedule.flatMap((e) => (e.kind === 'partition' && e.between ? [[...e.between] as [string, string]] : []));
  const clientCut = schedule.some((e) => e.kind === 'partition' && !e.between);
  const members = new Map<string, StackMember>();
  const dependencies: StartedDependency[] = [];
  let network: StackNetwork | undefined;

  const dispose = async () => {
    // The target first, then what it needed, last started first; one that fails to go does not keep the others.
    const failures: unknown[] = [];
    const disposeOf = async (it: AsyncDisposable) => {
      try {
        await it[Symbol.asyncDispose]();
      } catch (error) {
        failures.push(error);
      }
    };
    for (const member of [...members.values()].reverse()) await disposeOf(member.started);
    if (network) await disposeOf(network);
    if (failures.length > 0) throw failures[0];
  };
  const addresses = async (service: Target): Promise<Record<string, string>> => {
    const env: Record<string, string> = {};
    for (const name of service.dependsOn) {
      const provider = dependencies.find((d) => d.spec.name === name);
      if (provider?.spec.addressEnv) env[provider.spec.addressEnv] = await network!.address(service.name, members.get(name)!);
    }
    return env;
  };

  try {
    if (scenario.dependencies.length > 0) {
      network = await backend.network({ runId: context.runId, labels: context.labels, partitioned });
      for (const spec of scenario.dependencies) {
        const dataDir = join(context.dataDir, '.dependencies', spec.name);
        await mkdir(dataDir, { recursive: true });
        const environment = await addresses(spec);
        const started = await backend.start(spec, { ...context, dataDir, partitions: false, network, environment, dependency: spec.name });
        members.set(spec.name, { name: spec.name, started });
        const what = `dependency ${spec.name}`;
        const readyMs = await waitReady(started, spec.ready, signal, { healthy: spec.healthy, what });
        journal.phase('starting', `${what} ready`);
        dependencies.push({ spec, started, readyMs });
      }
    }
    const { target: spec } = scenario;
    const environment = await addresses(spec);
    const onNetwork = network ? { network, environment } : {};
    const target = await backend.start(spec, { ...context, partitions: clientCut, ...onNetwork });
    members.set(spec.name, { name: spec.name, started: target });
    return {
      target,
      dependencies,
      faults: router(spec.name, members, network),
      restartTarget: () => backend.start(spec, { ...context, partitions: false, instance: 'restart', ...onNetwork }),
      [Symbol.asyncDispose]: dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** Sends each fault to the service it names: the target when it names none. */
function router(targetName: string, members: Map<string, StackMember>, network: StackNetwork | undefined): FaultTarget {
  const member = (name: string | undefined) => {
    const found = members.get(name ?? targetName);
    if (!found) throw new Error(`no service ${name} in this stack`);
    return found;
  };
  return {
    signal(signals, to) {
      const { service, recipient } = recipientOf(to);
      return member(service).started.signal(signals, recipient);
    },
    recipients(to) {
      const { service, recipient } = recipientOf(to);
      return member(service).started.recipients(recipient);
    },
    pause: (service) => member(service).started.pause(),
    partition(spec) {
      if (!spec.between) return member(undefined).started.partition(spec);
      if (!network) throw new Error('the target has no dependencies: there is no edge to cut');
      const [a, b] = spec.between.map(member) as [StackMember, StackMember];
      return network.cut(a, b, spec);
    },
  };
}
