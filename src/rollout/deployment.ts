import { keyPathText, type KeyPath } from '../input/key-path.js';
import { locate } from '../input/locate.js';
import { describeValue, mapping } from '../input/plain-data.js';
import type { Problem } from '../input/problem.js';
import { ScenarioError } from '../input/scenario-error.js';
import { readYamlDocuments, type SourceFile } from '../input/yaml-source.js';

// `rollout: { kubernetes: deploy.yaml }`: a Deployment's rolling update, read from the team's own manifest, as the
// scenario's `replicas:` and `rollout:` keys (those the scenario writes itself win). The stop of each replica (preStop,
// grace period, stop signal) is the stop model's to read: `stop: { model: kubernetes, file: deploy.yaml }`.

/** What a Deployment says of its rollout, in the scenario's terms: counts or percentages as written, durations in ms. */
export interface DeploymentRollout {
  replicas?: number;
  max_surge?: number | string;
  max_unavailable?: number | string;
  min_ready?: number;
  readiness?: { period?: number; failure_threshold?: number };
  /** "deploy.yaml (Deployment web)", for messages. */
  source: string;
}

/** Reads the one Deployment of `path` (`shown`: the path as the scenario names it); `container`: whose readinessProbe. */
export async function readDeploymentRollout(path: string, shown: string, container?: string): Promise<DeploymentRollout> {
  const docs = await readYamlDocuments(path, 'Kubernetes manifest');
  const found = docs.flatMap((source) => (mapping(source.value)?.kind === 'Deployment' ? [source] : []));
  const problems: Problem[] = [];
  const problem = (source: SourceFile, at: KeyPath, message: string) => problems.push({ file: path, ...locate(source, at), keyPath: keyPathText(at), message });
  if (found.length !== 1) {
    const message = found.length === 0 ? 'expected a Deployment (kind: Deployment): its spec.strategy is the rollout' : 'several Deployments: name a file that holds only the one to roll out';
    throw new ScenarioError([{ file: path, line: 1, keyPath: '', message }]);
  }
  const source = found[0]!;
  const deployment = mapping(source.value)!;
  const spec = mapping(deployment.spec) ?? {};
  const name = String(mapping(deployment.metadata)?.name ?? '(no name)');
  const read: DeploymentRollout = { source: `${shown} (Deployment ${name})` };
  const whole = (at: KeyPath, value: unknown, min: number): number | undefined => {
    if (value === undefined) return undefined;
    if (typeof value === 'number' && Number.isInteger(value) && value >= min) return value;
    problem(source, at, `expected a whole number ≥ ${min}, got ${describeValue(value)}`);
    return undefined;
  };
  const countOrShare = (at: KeyPath, value: unknown): number | string | undefined => {
    if (typeof value === 'string' && /^\d{1,3}%$/.test(value)) return value;
    return whole(at, value, 0);
  };

  const replicas = whole(['spec', 'replicas'], spec.replicas, 1);
  if (replicas !== undefined) read.replicas = replicas;
  const strategy = mapping(spec.strategy) ?? {};
  if (strategy.type !== undefined && strategy.type !== 'RollingUpdate') problem(source, ['spec', 'strategy', 'type'], `only RollingUpdate is played so far, got ${describeValue(strategy.type)}`);
  const rolling = mapping(strategy.rollingUpdate) ?? {};
  const surge = countOrShare(['spec', 'strategy', 'rollingUpdate', 'maxSurge'], rolling.maxSurge);
  if (surge !== undefined) read.max_surge = surge;
  const unavailable = countOrShare(['spec', 'strategy', 'rollingUpdate', 'maxUnavailable'], rolling.maxUnavailable);
  if (unavailable !== undefined) read.max_unavailable = unavailable;
  const minReady = whole(['spec', 'minReadySeconds'], spec.minReadySeconds, 0);
  if (minReady !== undefined) read.min_ready = minReady * 1000;
  const probe = readinessOf(source, spec, container, problem);
  if (probe) read.readiness = probe;
  if (problems.length > 0) throw new ScenarioError(problems);
  return read;
}

/** The container's readinessProbe period and threshold (the one named, or the only container). */
function readinessOf(source: SourceFile, spec: Record<string, unknown>, container: string | undefined, problem: (s: SourceFile, at: KeyPath, m: string) => void) {
  const at: KeyPath = ['spec', 'template', 'spec', 'containers'];
  const containers = (Array.isArray(mapping(mapping(spec.template)?.spec)?.containers) ? (mapping(mapping(spec.template)?.spec)!.containers as unknown[]) : []).map((c) => mapping(c) ?? {});
  const index = container === undefined ? (containers.length === 1 ? 0 : -1) : containers.findIndex((c) => c.name === container);
  if (index < 0) {
    const names = containers.map((c) => String(c.name)).join(', ') || 'none';
    return void problem(source, at, container === undefined ? `several containers (${names}): set stop.container to the one rolled out` : `no container named ${container}; it has: ${names}`);
  }
  const probe = mapping(containers[index]!.readinessProbe);
  if (!probe) return undefined;
  const probeAt = [...at, index, 'readinessProbe'];
  const period = probe.periodSeconds;
  const threshold = probe.failureThreshold;
  const ok = (v: unknown) => v === undefined || (typeof v === 'number' && Number.isInteger(v) && v >= 1);
  if (!ok(period)) problem(source, [...probeAt, 'periodSeconds'], `expected a whole number of seconds ≥ 1, got ${describeValue(period)}`);
  if (!ok(threshold)) problem(source, [...probeAt, 'failureThreshold'], `expected a whole number ≥ 1, got ${describeValue(threshold)}`);
  return {
    ...(typeof period === 'number' ? { period: period * 1000 } : {}),
    ...(typeof threshold === 'number' ? { failure_threshold: threshold } : {}),
  };
}
