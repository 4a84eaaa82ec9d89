import { basename, dirname, extname, resolve } from 'node:path';
import type { SignalName } from '../signals.js';
import type { ComposeService } from './compose.js';
import { coverageNotes } from './coverage.js';
import { declaredExpectations, withDefaultExpectations } from './expectations.js';
import type { ScenarioProblems } from './problems.js';
import type { ParsedScenario } from './schema/scenario.js';
import { readyTimeout } from './schema/target.js';
import type { Scenario } from './types.js';

/**
 * The parsed file as a Scenario: paths made absolute (relative to the file that wrote them), the rules that span
 * several keys checked, and the defaults that depend on the contract drawn from it.
 */
export function normalize(parsed: ParsedScenario, path: string, compose: ComposeService | undefined, problems: ScenarioProblems): Scenario {
  const t = parsed.target;
  const expect = declaredExpectations(parsed.expect, t.stop_grace_period, problems);
  const hasContainer = hasContainerForm(t);
  if (hasContainer && t.ready?.http && !t.ready.port && (t.ports ?? []).length === 0) {
    problems.at(['target', 'ready', 'http'], 'an HTTP probe of a container needs `ready.port` or `ports`');
  }
  if (parsed.workload.writes && !t.data_dir && hasContainer) {
    problems.at(['workload', 'writes', 'readback'], 'a read-back file needs `target.data_dir` (where the target keeps its data)');
  }
  problems.throwIfAny();

  const declared = Object.keys(expect) as SignalName[];
  const faults = faultSpace(parsed.faults, t.stop_signal, declared);
  return {
    name: parsed.name ?? defaultName(path),
    ...(parsed.description ? { description: parsed.description } : {}),
    path,
    expect: withDefaultExpectations(expect, t.stop_grace_period, t.stop_signal),
    workload: parsed.workload,
    oracles: parsed.oracles,
    schedule: [...(parsed.schedule ?? [])].sort((a, b) => a.at - b.at),
    faults,
    coverage: coverageNotes(faults.signals, declared),
    target: target(t, dirname(path), compose),
  };
}

/** The target with its paths made absolute: a build context relative to the file that names it. */
function target(t: ParsedScenario['target'], scenarioDir: string, compose: ComposeService | undefined): Scenario['target'] {
  const composeDir = compose ? dirname(compose.source.path) : scenarioDir;
  return {
    ...(t.data_dir ? { dataDir: t.data_dir } : {}),
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
                    context: resolve(compose?.keys.has('build') ? composeDir : scenarioDir, t.build.context),
                    dockerfile: t.build.dockerfile,
                  },
                }
              : {}),
            ...(t.command ? { command: t.command } : {}),
            ...(t.entrypoint ? { entrypoint: t.entrypoint } : {}),
            environment: t.environment ?? {},
            ports: t.ports ?? [],
            init: t.init ?? false,
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
    to: f.to,
    races: f.races,
    storms: f.storms,
    pauses: f.pauses,
    partitions: f.partitions,
    maxEvents: f.max_events,
    horizon: f.horizon,
    step: f.step,
  };
}

const hasContainerForm = (t: ParsedScenario['target']) => t.image !== undefined || t.build !== undefined;

/** The file name as a scenario name (report directories are named after it), when `name` is not given. */
function defaultName(path: string): string {
  const name = basename(path, extname(path)).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return name || 'scenario';
}
