import { badInput } from '../errors.js';
import { NO_PROCESS_FORM, type ReadyChoice, type Sketch } from './common.js';
import { at, emptyDraft, withEntries, type Entry } from './draft.js';
import { httpCheck } from './http-check.js';
import { tcpCheck } from './tcp-check.js';
import { parseYamlDocuments, record, type YamlText } from './yaml-lines.js';

// A Kubernetes workload manifest read as plain data: the container's image, ports and probes, and the pod's stop
// settings, which the scenario leaves to the kubernetes stop model to read from the same file at every run.

type Path = (string | number)[];

export interface ProbeFacts {
  kind: 'readinessProbe' | 'livenessProbe' | 'startupProbe';
  /** The HTTP path it asks; undefined for a TCP-level probe (tcpSocket, grpc, an exec of redis-cli ping, …). */
  path?: string;
  /** The protocol of a TCP-level probe, when it says (grpc). */
  protocol?: string;
  port?: number;
  line?: number;
  how: string;
}

export interface KubernetesFacts {
  file: string;
  kind: string;
  name: string;
  container: string;
  chosen?: string;
  image?: { value: string; line?: number };
  ports: { port: number; line?: number }[];
  probe?: ProbeFacts;
  /** Probes that cannot drive a readiness check from outside (HTTPS, another host, an exec of something else). */
  unusable: string[];
  preStop?: { text: string; line?: number };
  grace?: { seconds: number; line?: number };
  stopSignal?: { value: string; line?: number };
  command?: string[];
  args?: string[];
  env: Record<string, string>;
}

const TEMPLATED = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

/** The pod spec's key path in a document of this kind, or undefined for kinds without a pod. */
function podPath(kind: string): Path | undefined {
  if (kind === 'Pod') return ['spec'];
  if (TEMPLATED.has(kind)) return ['spec', 'template', 'spec'];
  if (kind === 'CronJob') return ['spec', 'jobTemplate', 'spec', 'template', 'spec'];
  return undefined;
}

const getIn = (value: unknown, path: Path): unknown =>
  path.reduce<unknown>((v, k) => (typeof k === 'number' ? (Array.isArray(v) ? v[k] : undefined) : record(v)?.[k]), value);

/** The first workload of the file with a pod, and the container named (default: the only, or the first). */
export function parseKubernetes(text: string, file: string, container?: string): KubernetesFacts {
  const docs = parseYamlDocuments(text, file);
  const doc = docs.find((d) => podPath(String(record(d.value)?.kind)) && Array.isArray(getIn(d.value, [...podPath(String(record(d.value)?.kind))!, 'containers'])));
  if (!doc) throw badInput(`${file}: expected a Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or CronJob with spec containers`);
  const kind = String(record(doc.value)!.kind);
  const pod = podPath(kind)!;
  const containers = getIn(doc.value, [...pod, 'containers']) as unknown[];
  const names = containers.map((c) => String(record(c)?.name));
  const index = container === undefined ? 0 : names.indexOf(container);
  if (index < 0) throw badInput(`${file}: no container ${JSON.stringify(container)} in the ${kind}; it has: ${names.join(', ')}`);
  const cpath: Path = [...pod, 'containers', index];
  const c = record(containers[index]) ?? {};
  const chosen = container === undefined && names.length > 1 ? `chose container ${names[0]} of ${names.length} (--container picks another: ${names.slice(1).join(', ')})` : undefined;
  const ports = (Array.isArray(c.ports) ? c.ports : []).flatMap((p, i) => {
    const port = Number(record(p)?.containerPort);
    return Number.isInteger(port) && record(p)?.protocol !== 'UDP' ? [{ port, line: doc.lineOf([...cpath, 'ports', i]), name: String(record(p)?.name ?? '') }] : [];
  });
  const probes = probesOf(c, ports, doc, cpath);
  const grace = getIn(doc.value, [...pod, 'terminationGracePeriodSeconds']);
  const preStop = getIn(c, ['lifecycle', 'preStop']);
  const stopSignal = getIn(c, ['lifecycle', 'stopSignal']);
  return {
    file,
    kind,
    name: String(getIn(doc.value, ['metadata', 'name']) ?? ''),
    container: names[index]!,
    ...(chosen ? { chosen } : {}),
    ...(typeof c.image === 'string' ? { image: { value: c.image, line: doc.lineOf([...cpath, 'image']) } } : {}),
    ports: ports.map(({ port, line }) => ({ port, line })),
    ...(probes.usable ? { probe: probes.usable } : {}),
    unusable: probes.unusable,
    ...(preStop !== undefined ? { preStop: { text: JSON.stringify(preStop), line: doc.lineOf([...cpath, 'lifecycle', 'preStop']) } } : {}),
    ...(typeof grace === 'number' ? { grace: { seconds: grace, line: doc.lineOf([...pod, 'terminationGracePeriodSeconds']) } } : {}),
    ...(typeof stopSignal === 'string' ? { stopSignal: { value: stopSignal, line: doc.lineOf([...cpath, 'lifecycle', 'stopSignal']) } } : {}),
    ...(Array.isArray(c.command) ? { command: c.command.map(String) } : {}),
    ...(Array.isArray(c.args) ? { args: c.args.map(String) } : {}),
    env: Object.fromEntries((Array.isArray(c.env) ? c.env : []).flatMap((e) => (record(e) && 'value' in record(e)! ? [[String(record(e)!.name), String(record(e)!.value)]] : []))),
  };
}

function probesOf(c: Record<string, unknown>, ports: { port: number; name: string }[], doc: YamlText, cpath: Path): { usable?: ProbeFacts; unusable: string[] } {
  const unusable: string[] = [];
  for (const kind of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
    const probe = record(c[kind]);
    if (!probe) continue;
    const line = doc.lineOf([...cpath, kind]);
    const found = probeOf(probe, ports);
    if (found) return { usable: { kind, line, ...found }, unusable };
    const get = record(probe.httpGet);
    unusable.push(`${kind} at ${at('', line).replace(/^:/, 'line ')} (${get ? 'HTTPS or another host' : (Object.keys(probe).find((k) => /exec|grpc|tcpSocket|httpGet/.test(k)) ?? 'no check')})`);
  }
  return { unusable };
}

/** What one probe asks, when sigstorm can ask it from outside: an HTTP GET of this host, or a TCP connect. */
function probeOf(probe: Record<string, unknown>, ports: { port: number; name: string }[]): Omit<ProbeFacts, 'kind' | 'line'> | undefined {
  const portOf = (p: unknown) => (typeof p === 'number' ? p : ports.find((x) => x.name === p)?.port);
  const get = record(probe.httpGet);
  if (get && String(get.scheme ?? 'HTTP').toUpperCase() === 'HTTP' && get.host === undefined) {
    const port = portOf(get.port);
    return { path: String(get.path ?? '/'), ...(port ? { port } : {}), how: `httpGet ${String(get.path ?? '/')} on port ${String(get.port)}` };
  }
  const socket = record(probe.tcpSocket) ?? record(probe.grpc);
  if (socket && socket.host === undefined) {
    const port = portOf(socket.port);
    const grpc = record(probe.grpc) !== undefined;
    const how = `${grpc ? 'grpc' : 'tcpSocket'} on port ${String(socket.port)}: a TCP connect to it asks the same from outside`;
    return { ...(port ? { port } : {}), ...(grpc ? { protocol: 'grpc' } : {}), how };
  }
  const exec = record(probe.exec)?.command;
  const words = Array.isArray(exec) ? exec.map(String) : [];
  const check = httpCheck(words);
  if (check) return { path: check.path, ...(check.port ? { port: check.port } : {}), how: `exec ${check.url}` };
  const tcp = tcpCheck(words);
  if (!tcp) return undefined;
  const how = `exec ${words.join(' ')}: a TCP connect to the port asks the same from outside`;
  return { ...(tcp.port ? { port: tcp.port } : {}), ...(tcp.protocol ? { protocol: tcp.protocol } : {}), how };
}

/** A TCP-level probe's readiness: its port when it is not the first, and the protocol it says. */
const tcpOf = (p: ProbeFacts, first: number, why: string) => ({ ...(p.port && p.port !== first ? { port: p.port } : {}), why, ...(p.protocol ? { protocol: p.protocol } : {}) });

/** The scenario for the container, stopped as the kubelet stops it (the kubernetes stop model reads the file). */
export function kubernetesDraft(facts: KubernetesFacts, fileRel: string): Sketch {
  const f = facts.file;
  const entries: Entry[] = [];
  const unknowns: string[] = [];
  if (facts.image) {
    entries.push({ path: ['target', 'image'], value: facts.image.value, why: `image at ${at(f, facts.image.line)} (${facts.kind} ${facts.name}, container ${facts.container}${facts.chosen ? `: ${facts.chosen}` : ''}). sigstorm never pulls: it must exist locally (docker pull it, or replace this with \`build\`).` });
  } else unknowns.push('an image (the container has none)');
  if (facts.command) entries.push({ path: ['target', 'entrypoint'], value: facts.command, why: 'command of the container (Docker\'s ENTRYPOINT).' });
  if (facts.args) entries.push({ path: ['target', 'command'], value: facts.args, why: 'args of the container (Docker\'s CMD).' });
  if (Object.keys(facts.env).length) entries.push({ path: ['target', 'environment'], value: facts.env, why: 'env of the container (values written in the manifest; valueFrom ones left out).' });
  if (facts.ports.length) {
    entries.push({ path: ['target', 'ports'], value: facts.ports.map((p) => String(p.port)), why: `containerPort at ${f}:${facts.ports.map((p) => p.line).join(', ')}.` });
  } else unknowns.push('a port: the container declares no containerPort');
  const settings = [
    facts.preStop ? `preStop ${facts.preStop.text} (line ${facts.preStop.line})` : 'no preStop hook',
    facts.grace ? `terminationGracePeriodSeconds ${facts.grace.seconds} (line ${facts.grace.line})` : 'terminationGracePeriodSeconds defaulted to 30',
    facts.stopSignal ? `stopSignal ${facts.stopSignal.value} (line ${facts.stopSignal.line})` : 'the stop signal SIGTERM',
  ].join(', ');
  entries.push({ path: ['stop', 'model'], value: 'kubernetes', why: `Stopped as the kubelet stops this pod, read from the manifest at every run: ${settings}. New connections keep arriving for endpoint_delay (1 s by default) after the stop begins.` });
  entries.push({ path: ['stop', 'file'], value: fileRel });
  entries.push({ path: ['stop', 'container'], value: facts.container });
  for (const u of facts.unusable) unknowns.push(`readiness from ${u}: only an HTTP check of this host or a TCP connect can be probed`);
  unknowns.push(NO_PROCESS_FORM);
  const draft = withEntries(emptyDraft(`${f}, ${facts.kind} ${facts.name}, container ${facts.container}`), entries, unknowns);
  const p = facts.probe;
  const port = p?.port !== undefined && facts.ports.some((x) => x.port === p.port) ? p.port : undefined;
  const why = p && `${p.kind} at ${at(f, p.line)}: ${p.how}.`;
  const names = [facts.image?.value, ...(facts.command ?? []), ...(facts.args ?? []), facts.container].filter((n): n is string => Boolean(n));
  const ready: ReadyChoice = {
    hasPort: facts.ports.length > 0,
    ...(facts.ports.length ? { port: facts.ports[0]!.port } : {}),
    names,
    ...(p?.path !== undefined && facts.ports.length ? { http: { path: p.path, ...(port ? { port } : {}), why: why! } } : {}),
    ...(p && p.path === undefined && facts.ports.length ? { tcp: tcpOf(p, facts.ports[0]!.port, why!) } : {}),
  };
  return { draft, ready, stopSignal: facts.stopSignal?.value ?? 'SIGTERM' };
}
