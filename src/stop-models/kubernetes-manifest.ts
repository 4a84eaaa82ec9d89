import { keyPathText, type KeyPath } from '../input/key-path.js';
import { locate } from '../input/locate.js';
import { ScenarioError } from '../input/scenario-error.js';
import { describeValue, mapping } from '../input/plain-data.js';
import { readYamlDocuments, type SourceFile } from '../input/yaml-source.js';
import { normalizeSignal } from '../signals.js';
import { MAX_DURATION_MS } from '../time.js';
import { throwProblems, type FileSettings, type SettingProblem, type StopFileReader } from './file-settings.js';
import { kubernetes, type KubernetesFileSettings, type KubernetesWritten } from './kubernetes.js';

export type KubernetesKeys = Pick<KubernetesWritten, 'termination_grace_period' | 'stop_signal' | 'pre_stop' | 'readiness'>;

export interface KubernetesSettings extends FileSettings<KubernetesKeys> {
  /** The container read. */
  container: string;
  /** A readiness probe sigstorm does not play (only httpGet): said when the scenario asks for readiness-driven traffic. */
  readinessKind?: 'exec' | 'tcpSocket' | 'grpc';
}

// Where each kind of workload keeps its pod spec.
const POD_SPEC: Record<string, KeyPath> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/** One object of the manifest: where it sits in which document. */
interface Found {
  source: SourceFile;
  at: KeyPath;
  kind: string;
  name: string;
  value: Record<string, unknown>;
}

/**
 * The stop settings of one container of a Kubernetes workload manifest (the one named `container`, or the only
 * one), as the scenario's `stop:` keys. `written`: the keys the scenario gives itself (their values in the manifest
 * are not used, nor judged). Keys that do not shape the stop are left alone: it is the team's real manifest.
 */
export async function readKubernetesManifest(path: string, container?: string, written: readonly string[] = []): Promise<KubernetesSettings> {
  const docs = await readYamlDocuments(path, 'Kubernetes manifest');
  const objects: Found[] = [];
  for (const source of docs) {
    const value = mapping(source.value);
    if (!value) continue;
    const items = value.kind === 'List' && Array.isArray(value.items) ? value.items.map((item, i) => [item, ['items', i]] as const) : [[value, []] as const];
    for (const [item, at] of items) {
      const object = mapping(item);
      if (object) objects.push({ source, at, kind: String(object.kind ?? '(no kind)'), name: String(mapping(object.metadata)?.name ?? '(no name)'), value: object });
    }
  }
  const fail = (found: Found, at: KeyPath, message: string): never => {
    throw new ScenarioError([{ file: path, ...locate(found.source, at), keyPath: keyPathText(at), message }]);
  };
  const describe = (o: Found) => `${o.kind} ${o.name} (line ${locate(o.source, o.at)?.line ?? 1})`;

  const workloads = objects.filter((o) => Object.hasOwn(POD_SPEC, o.kind));
  if (workloads.length === 0) {
    const kinds = Object.keys(POD_SPEC).join(', ');
    throw new ScenarioError([{ file: path, line: 1, keyPath: '', message: `expected a workload (${kinds}); it has: ${objects.map(describe).join(', ') || 'nothing'}` }]);
  }
  const pods = workloads.map((o) => {
    const specPath = [...o.at, ...POD_SPEC[o.kind]!];
    const spec = mapping(valueAt(o.value, POD_SPEC[o.kind]!));
    if (!spec) return fail(o, specPath, `expected the pod spec of this ${o.kind}`);
    const containers = spec.containers;
    if (!Array.isArray(containers) || containers.length === 0) return fail(o, [...specPath, 'containers'], 'expected a list of containers');
    const names = containers.map((c, i) => {
      const name = mapping(c)?.name;
      return typeof name === 'string' ? name : fail(o, [...specPath, 'containers', i, 'name'], 'expected the container\'s name');
    });
    return { ...o, specPath, spec, containers: containers as Record<string, unknown>[], names };
  });

  const holding = container === undefined ? pods : pods.filter((p) => p.names.includes(container));
  if (holding.length !== 1) {
    const list = pods.map((p) => `${describe(p)}: ${p.names.join(', ')}`).join('; ');
    const message =
      container === undefined
        ? `several workloads: set stop.container to a container only one of them has (${list})`
        : holding.length === 0
          ? `expected a container named ${JSON.stringify(container)}; it has: ${list}`
          : `several workloads have a container named ${JSON.stringify(container)} (${list}): name a file that holds only the one to read`;
    throw new ScenarioError([{ file: path, ...locate(pods[0]!.source, pods[0]!.at), keyPath: '', message }]);
  }
  const pod = holding[0]!;
  if (container === undefined && pod.names.length > 1) {
    return fail(pod, [...pod.specPath, 'containers'], `several containers: set stop.container to one of ${pod.names.join(', ')}`);
  }
  const index = container === undefined ? 0 : pod.names.indexOf(container);
  return readContainer(pod, index, written);
}

/** The settings of the pod spec and of its container at `index`. */
function readContainer(
  pod: Found & { specPath: KeyPath; spec: Record<string, unknown>; containers: Record<string, unknown>[]; names: string[] },
  index: number,
  written: readonly string[],
): KubernetesSettings {
  const { source, specPath } = pod;
  const problems: SettingProblem[] = [];
  const settings: KubernetesKeys = {};
  const lines: KubernetesSettings['lines'] = {};
  const result: KubernetesSettings = { file: source.path, container: pod.names[index]!, settings, lines };
  const r: Reading = {
    container: pod.containers[index]!,
    containerAt: [...specPath, 'containers', index],
    settings,
    problem: (path, setting, message) => problems.push({ file: source.path, ...locate(source, path), keyPath: keyPathText(path), message, setting }),
    found: (setting, path) => (lines[setting] = locate(source, path, true)?.line),
  };

  const graceAt = [...specPath, 'terminationGracePeriodSeconds'];
  const grace = seconds(pod.spec.terminationGracePeriodSeconds, 0);
  if (typeof grace === 'string') r.problem(graceAt, 'termination_grace_period', grace);
  else if (grace !== undefined) (settings.termination_grace_period = grace), r.found('termination_grace_period', graceAt);

  const lifecycle = mapping(r.container.lifecycle) ?? {};
  if (lifecycle.stopSignal !== undefined) {
    const at = [...r.containerAt, 'lifecycle', 'stopSignal'];
    const signal = typeof lifecycle.stopSignal === 'string' ? normalizeSignal(lifecycle.stopSignal) : undefined;
    if (signal) (settings.stop_signal = signal), r.found('stop_signal', at);
    else r.problem(at, 'stop_signal', `expected a signal name such as SIGTERM, got ${JSON.stringify(lifecycle.stopSignal)}`);
  }
  if (lifecycle.preStop !== undefined) readPreStop(r, lifecycle.preStop);
  const readinessKind = r.container.readinessProbe !== undefined ? readReadiness(r, r.container.readinessProbe) : undefined;
  if (readinessKind) result.readinessKind = readinessKind;
  throwProblems(problems, written);
  return result;
}

/** One container being read: where its settings, the lines they came from, and the problems go. */
interface Reading {
  container: Record<string, unknown>;
  containerAt: KeyPath;
  settings: KubernetesKeys;
  problem: (path: KeyPath, setting: keyof KubernetesKeys, message: string) => void;
  found: (setting: keyof KubernetesKeys, path: KeyPath) => void;
}

/** A port number, or the number of a port the container names. */
function portOf(r: Reading, value: unknown, at: KeyPath, setting: keyof KubernetesKeys): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535) return value;
  const ports = (Array.isArray(r.container.ports) ? r.container.ports : []).map((p) => mapping(p) ?? {});
  const named = typeof value === 'string' ? ports.find((p) => p.name === value) : undefined;
  if (named && typeof named.containerPort === 'number') return named.containerPort;
  const have = ports.filter((p) => typeof p.name === 'string').map((p) => `${p.name as string} (${String(p.containerPort)})`);
  r.problem(at, setting, typeof value === 'string' ? `expected a port named in the container's ports; it has: ${have.join(', ') || 'none'}` : 'expected a port number (1-65535) or the name of one of the container\'s ports');
  return undefined;
}

/** An httpGet handler as sigstorm can send it: a plain GET of a path, at a port perhaps. */
function httpGetOf(r: Reading, value: unknown, at: KeyPath, setting: keyof KubernetesKeys): { path: string; port?: number } | undefined {
  const get = mapping(value);
  if (!get) return void r.problem(at, setting, `expected a mapping, got ${describeValue(value)}`);
  let ok = true;
  for (const key of ['host', 'httpHeaders'] as const) if (get[key] !== undefined) (ok = false), r.problem([...at, key], setting, `${key} is not supported: sigstorm sends the GET to the target itself, plain`);
  if (get.scheme !== undefined && get.scheme !== 'HTTP') (ok = false), r.problem([...at, 'scheme'], setting, `scheme ${String(get.scheme)} is not supported: sigstorm sends plain HTTP`);
  const path = get.path ?? '/';
  if (typeof path !== 'string' || !path.startsWith('/')) return void r.problem([...at, 'path'], setting, 'expected a path starting with /');
  const port = get.port === undefined ? undefined : portOf(r, get.port, [...at, 'port'], setting);
  if (!ok || (get.port !== undefined && port === undefined)) return undefined;
  return { path, ...(port === undefined ? {} : { port }) };
}

/** lifecycle.preStop: one handler, exec, sleep or httpGet. */
function readPreStop(r: Reading, value: unknown): void {
  const at = [...r.containerAt, 'lifecycle', 'preStop'];
  const hook = mapping(value) ?? {};
  const handlers = ['exec', 'sleep', 'httpGet', 'tcpSocket'].filter((k) => hook[k] !== undefined);
  if (handlers.length !== 1) r.problem(at, 'pre_stop', `expected one handler: exec, sleep or httpGet${handlers.length ? `; it has ${handlers.join(', ')}` : ''}`);
  else if (handlers[0] === 'tcpSocket') r.problem([...at, 'tcpSocket'], 'pre_stop', 'tcpSocket is not supported: Kubernetes keeps it as a preStop hook for compatibility only and does not run it');
  else if (handlers[0] === 'exec') {
    const command = mapping(hook.exec)?.command;
    if (Array.isArray(command) && command.length > 0 && command.every((w) => typeof w === 'string')) (r.settings.pre_stop = { exec: command as string[] }), r.found('pre_stop', at);
    else r.problem([...at, 'exec', 'command'], 'pre_stop', 'expected a command: a list of strings such as ["sh", "-c", "sleep 5"]');
  } else if (handlers[0] === 'sleep') {
    const ms = seconds(mapping(hook.sleep)?.seconds, 0);
    if (typeof ms === 'string' || ms === undefined) r.problem([...at, 'sleep', 'seconds'], 'pre_stop', typeof ms === 'string' ? ms : 'expected a whole number of seconds');
    else (r.settings.pre_stop = { sleep: ms }), r.found('pre_stop', at);
  } else {
    const get = httpGetOf(r, hook.httpGet, [...at, 'httpGet'], 'pre_stop');
    if (get) (r.settings.pre_stop = { http_get: get }), r.found('pre_stop', at);
  }
}

/** readinessProbe: its httpGet, period and threshold; or the kind of a probe sigstorm does not play. */
function readReadiness(r: Reading, value: unknown): KubernetesSettings['readinessKind'] {
  const at = [...r.containerAt, 'readinessProbe'];
  const probe = mapping(value) ?? {};
  const other = (['exec', 'tcpSocket', 'grpc'] as const).find((k) => probe[k] !== undefined);
  if (probe.httpGet === undefined) return other;
  const get = httpGetOf(r, probe.httpGet, [...at, 'httpGet'], 'readiness');
  const period = seconds(probe.periodSeconds, 1) ?? 10_000;
  const threshold = probe.failureThreshold ?? 3;
  if (typeof period === 'string') r.problem([...at, 'periodSeconds'], 'readiness', period);
  if (!(typeof threshold === 'number' && Number.isInteger(threshold) && threshold >= 1)) r.problem([...at, 'failureThreshold'], 'readiness', `expected a whole number ≥ 1, got ${describeValue(threshold)}`);
  else if (get && typeof period === 'number') (r.settings.readiness = { http: get.path, ...(get.port === undefined ? {} : { port: get.port }), period, failure_threshold: threshold }), r.found('readiness', at);
  return undefined;
}

/** A whole number of seconds ≥ `min` as ms, undefined when absent, or what is wrong with it. */
function seconds(value: unknown, min: number): number | string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) return `expected a whole number of seconds ≥ ${min}, got ${typeof value === 'number' ? value : describeValue(value)}`;
  return value * 1000 <= MAX_DURATION_MS ? value * 1000 : `expected at most 24 days, got ${value} seconds`;
}

const valueAt = (value: unknown, path: KeyPath): unknown => path.reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown> | undefined)?.[k], value);

/** The manifest a Kubernetes `stop:` names: the settings of the container `stop.container` names (or the only one). */
export const kubernetesManifest: StopFileReader<KubernetesWritten, KubernetesFileSettings> = {
  model: kubernetes.name,
  read: async (stop, path, written) => {
    const read = await readKubernetesManifest(path, stop.container, written);
    return { settings: { ...read.settings, ...(read.readinessKind ? { readinessKind: read.readinessKind } : {}) }, source: `${stop.file} (container ${read.container})` };
  },
};
