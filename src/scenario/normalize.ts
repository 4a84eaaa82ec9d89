import { basename, dirname, extname, resolve } from 'node:path';
import type { SignalName } from '../signals.js';
import type { StopFile } from '../stop-models/model.js';
import { resolveStop, stopContractOf } from '../stop-models/registry.js';
import type { ComposeService } from './compose.js';
import { coverageNotes, secondSignalNote, serverNotes } from './coverage.js';
import { secondSignalPolicy } from './second-signal.js';
import { declaredExpectations, withDefaultExpectations } from './expectations.js';
import { grpcProblems } from './grpc-method.js';
import type { ScenarioProblems } from './problems.js';
import type { ParsedScenario } from './schema/scenario.js';
import { readyTimeout } from './schema/target.js';
import { checkReadbacks } from './readbacks.js';
import { readyPortProblems } from './ready-port.js';
import { requestAnchorProblems } from './request-anchors.js';
import { portlessContainers, rolloutFaults, rolloutOf } from './rollout.js';
import type { RolloutFiles } from './rollout-strategy.js';
import { checkStack } from './stack.js';
import type { Dependency, Healthcheck, Scenario, Target } from './types.js';

/**
 * The parsed file as a Scenario: paths made absolute (relative to the file that wrote them), the rules that span
 * several keys checked, and the defaults that depend on the contract drawn from it.
 */
export function normalize(
  parsed: ParsedScenario,
  path: string,
  compose: ComposeService | undefined,
  problems: ScenarioProblems,
  stopFile: StopFile = { settings: {} },
  rolloutFiles: RolloutFiles = {},
  faultsWritten = true,
): Scenario {
  // The orchestrator's stop decides the stop signal and the grace period everything else is drawn from.
  const stop = resolveStop(parsed.stop, stopFile, parsed.target, problems);
  const contract = stopContractOf(stop);
  const t = { ...parsed.target, stop_signal: contract.signal, stop_grace_period: contract.graceMs };
  const expect = declaredExpectations(parsed.expect, t.stop_grace_period, problems);
  const hasContainer = hasContainerForm(t);
  if (hasContainer) for (const p of readyPortProblems(t.ready, t.ports ?? [])) problems.at(['target', 'ready', p.key], p.message);
  checkReadbacks(parsed, hasContainer, problems);
  checkExec(parsed, hasContainer, problems);
  checkReach(parsed, hasContainer, problems);
  for (const p of grpcProblems(parsed.workload.grpc, dirname(path))) problems.at(p.at, p.message);
  for (const p of requestAnchorProblems(parsed.schedule ?? [], parsed.workload)) problems.at(['schedule', ...p.at], p.message);
  problems.throwIfAny();

  const declared = Object.keys(expect) as SignalName[];
  const faults = faultSpace(parsed.faults, t.stop_signal, declared);
  if (faults.horizonMax < faults.horizon) {
    problems.at(['faults', 'horizon_max'], `expected at least the horizon (${faults.horizon} ms): the horizon only grows, up to horizon_max`);
  }
  const scenarioDir = dirname(path);
  const main = service(t, compose?.service ?? 'target', scenarioDir, compose, compose?.keys);
  const dependencies = Object.entries(parsed.dependencies).map(([name, d]): Dependency => ({
    ...service(d, name, scenarioDir, compose, compose?.dependencies.get(name)),
    ...(d.address_env ? { addressEnv: d.address_env } : {}),
    expect: declaredExpectations(d.expect, d.stop_grace_period, problems, ['dependencies', name, 'expect']),
  }));
  const stack = checkStack(main, dependencies, parsed, problems);
  const to = parsed.rollout?.to ? service({ ...parsed.rollout.to, ...stopKeys(t) }, main.name, scenarioDir, undefined, undefined) : undefined;
  const rollout = rolloutOf(parsed, stop, problems, to, rolloutFiles);
  if (rollout) portlessContainers(main, to, problems);
  problems.throwIfAny();
  return {
    name: parsed.name ?? defaultName(path),
    ...(parsed.description ? { description: parsed.description } : {}),
    path,
    expect: withDefaultExpectations(expect, t.stop_grace_period, t.stop_signal),
    stop,
    workload: parsed.workload,
    oracles: parsed.oracles,
    schedule: stack.schedule,
    faults: rollout ? rolloutFaults(faults, faultsWritten) : faults,
    coverage: [
      ...coverageNotes(faults.signals, declared),
      secondSignalNote(secondSignalPolicy(parsed.oracles), t.stop_signal),
      ...serverNotes([...(t.process?.command ?? []), ...(t.command ?? []), ...(t.entrypoint ?? [])], t.image, expect),
    ],
    target: stack.target,
    dependencies: stack.dependencies,
    ...(rollout ? { rollout } : {}),
  };
}

/** The new version is stopped as the old one is: by the scenario's stop model, its signal and grace period. */
const stopKeys = (t: { stop_signal: SignalName; stop_grace_period: number }) => ({ stop_signal: t.stop_signal, stop_grace_period: t.stop_grace_period });

/** An exec client needs a port to name with {host} and {port}; its writes share the one read-back of the trial. */
function checkExec({ workload, target: t }: ParsedScenario, hasContainer: boolean, problems: ScenarioProblems): void {
  const exec = workload.exec;
  if (!exec) return;
  const names = (text: string) => /\{(host|port)\}/.test(text);
  const arg = exec.command.findIndex(names);
  const env = Object.keys(exec.env).find((key) => names(exec.env[key]!));
  if ((arg >= 0 || env !== undefined) && hasContainer && !t.process && (t.ports ?? []).length === 0) {
    const at = arg >= 0 ? ['command', arg] : ['env', env!];
    problems.at(['workload', 'exec', ...at], '{host} and {port} name where the target listens, but it publishes no port: give it `ports:`');
  }
  if (exec.readback && workload.writes) {
    problems.at(['workload', 'exec', 'readback'], 'a trial reads writes back once: `writes` already has a read-back (drive writes from one or the other)');
  }
}

/** Traffic sigstorm sends itself needs somewhere to send it: a container-only target must publish a port. */
function checkReach({ workload, target: t }: ParsedScenario, hasContainer: boolean, problems: ScenarioProblems): void {
  if (!hasContainer || t.process || (t.ports ?? []).length > 0) return;
  const kinds = (['requests', 'streams', 'tcp', 'grpc'] as const).filter((k) => workload[k].length > 0);
  for (const kind of [...kinds, ...(workload.writes ? (['writes'] as const) : [])]) {
    problems.at(['workload', kind], 'sigstorm sends this to the target, but it publishes no port: give it `ports:`');
  }
}

type WrittenService = ParsedScenario['target'] | ParsedScenario['dependencies'][string];

/** A service with its paths made absolute: a build context relative to the file that names it. */
function service(t: WrittenService, name: string, scenarioDir: string, compose: ComposeService | undefined, fromCompose: Set<string> | undefined): Target {
  const composeDir = compose ? dirname(compose.source.path) : scenarioDir;
  const dependsOn = t.depends_on ?? [];
  return {
    name,
    dependsOn: dependsOn.map((d) => d.service),
    healthy: false, // set by checkStack, from the conditions of the services that need it
    ...('data_dir' in t && t.data_dir ? { dataDir: t.data_dir } : {}),
    stopSignal: t.stop_signal,
    stopGracePeriod: t.stop_grace_period,
    ready: t.ready ?? { timeout: readyTimeout.parse(undefined) },
    ...(t.prepare ? { prepare: { command: t.prepare, cwd: scenarioDir } } : {}),
    ...(hasContainerForm(t)
      ? {
          container: {
            ...(t.image ? { image: t.image } : {}),
            ...(t.build
              ? {
                  build: {
                    context: resolve(fromCompose?.has('build') ? composeDir : scenarioDir, t.build.context),
                    dockerfile: t.build.dockerfile,
                  },
                }
              : {}),
            ...(t.command ? { command: t.command } : {}),
            ...(t.entrypoint ? { entrypoint: t.entrypoint } : {}),
            environment: t.environment ?? {},
            ports: t.ports ?? [],
            init: t.init ?? false,
            ...(t.healthcheck ? { healthcheck: healthcheck(t.healthcheck) } : {}),
          },
        }
      : {}),
    ...(t.process
      ? {
          process: {
            command: t.process.command,
            cwd: resolve(scenarioDir, t.process.cwd ?? '.'),
            env: t.process.env ?? {},
            portEnv: t.process.port_env,
          },
        }
      : {}),
  };
}

/** How far a campaign may grow the horizon by default: periodic work (flushes, reloads, renewals) every few seconds fits. */
const DEFAULT_HORIZON_MAX_MS = 10_000;

/**
 * The fault space, its signals by default drawn from the declared contract: the stop signal, the signals named
 * under `expect`, and SIGTERM + SIGINT together when the stop signal is one of them and the scenario leaves it to
 * the `docker stop` default (declares nothing of its own for it): that default covers both, and their races.
 * A server whose documented graceful stop is SIGQUIT, or SIGTERM with SIGINT documented as a quick shutdown
 * (gunicorn), is not failed for what its documented fast shutdown does: what it did not declare is a coverage note.
 */
function faultSpace(f: ParsedScenario['faults'], stopSignal: SignalName, declared: SignalName[]): Scenario['faults'] {
  const byDefault = ['SIGTERM', 'SIGINT'].includes(stopSignal) && !declared.includes(stopSignal);
  const dockerStop: SignalName[] = byDefault ? ['SIGTERM', 'SIGINT'] : [];
  return {
    signals: f.signals ?? [...new Set([stopSignal, ...dockerStop, ...declared])],
    services: f.services,
    to: f.to,
    races: f.races,
    storms: f.storms,
    ...(f.startup !== undefined ? { startup: f.startup } : {}),
    pauses: f.pauses,
    partitions: f.partitions,
    flaps: f.flaps,
    maxEvents: f.max_events,
    horizon: f.horizon,
    horizonMax: f.horizon_max ?? Math.max(f.horizon, DEFAULT_HORIZON_MAX_MS),
    step: f.step,
  };
}

/** compose's healthcheck in the engine's terms: a string test runs in a shell, `disable` turns the image's off. */
function healthcheck(h: NonNullable<WrittenService['healthcheck']>): Healthcheck {
  const test = h.disable ? ['NONE'] : typeof h.test === 'string' ? ['CMD-SHELL', h.test] : (h.test ?? []);
  return {
    test,
    ...(h.interval !== undefined ? { intervalMs: h.interval } : {}),
    ...(h.timeout !== undefined ? { timeoutMs: h.timeout } : {}),
    ...(h.retries !== undefined ? { retries: h.retries } : {}),
    ...(h.start_period !== undefined ? { startPeriodMs: h.start_period } : {}),
    ...(h.start_interval !== undefined ? { startIntervalMs: h.start_interval } : {}),
  };
}

const hasContainerForm = (t: WrittenService) => t.image !== undefined || t.build !== undefined;

/** The file name as a scenario name (report directories are named after it), when `name` is not given. */
function defaultName(path: string): string {
  const name = basename(path, extname(path)).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return name || 'scenario';
}
