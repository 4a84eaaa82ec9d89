import { badInput } from '../errors.js';
import { NO_PROCESS_FORM, type ReadyChoice, type Sketch } from './common.js';
import { at, emptyDraft, withEntries, type Entry } from './draft.js';
import { shellWords, signalWarning, type DockerfileFacts } from './dockerfile.js';
import { httpCheck } from './http-check.js';
import { tcpCheck, tcpReady, type TcpCheck } from './tcp-check.js';
import { parseYamlText, record, type YamlText } from './yaml-lines.js';

// A docker-compose service read as plain data, and the first scenario that names it (the compose form: sigstorm
// reads the service's keys from the file at every run, so the scenario adds only what compose cannot say).

export interface ComposeFacts {
  file: string;
  service: string;
  /** How the service was chosen, when it was not named. */
  chosen?: string;
  line?: number;
  /** Compose keys the scenario inherits, with their lines ("merged" when they come through an anchor). */
  keys: { key: string; line?: number }[];
  ports: string[];
  healthcheck?: { text: string; line?: number; http?: ReturnType<typeof httpCheck>; tcp?: TcpCheck };
  image?: string;
  stopSignal?: string;
  dependsOn: string[];
  /** depends_on written as a list: compose starts those without waiting, and sigstorm asks for the condition. */
  dependsOnList: boolean;
  /** Of each service it depends on: whether it has a healthcheck. */
  healthy: Record<string, boolean>;
  /** The build context and Dockerfile, relative to the compose file. */
  build?: { context: string; dockerfile: string };
  entrypoint?: unknown;
  command?: unknown;
}

const INHERITED = ['image', 'build', 'command', 'entrypoint', 'environment', 'ports', 'init', 'stop_signal', 'stop_grace_period', 'healthcheck', 'depends_on'];

/** The service named, or the one a scenario most likely wants: the first that no other depends on, with a port. */
export function parseCompose(text: string, file: string, service?: string): ComposeFacts {
  const yaml = parseYamlText(text, file);
  const services = record(record(yaml.value)?.services);
  if (!services || Object.keys(services).length === 0) throw badInput(`${file}: expected a compose file with \`services\``);
  const names = Object.keys(services);
  if (service !== undefined && !names.includes(service)) throw badInput(`${file}: no service ${JSON.stringify(service)}; it has: ${names.join(', ')}`);
  const name = service ?? pickService(services);
  const s = record(services[name]) ?? {};
  const others = names.filter((n) => n !== name);
  const listed = `${others.slice(0, 6).join(', ')}${others.length > 6 ? `, … ${others.length - 6} more` : ''}`;
  const chosen = service === undefined && names.length > 1 ? `chose service ${name} of ${names.length} (--service picks another: ${listed})` : undefined;
  return {
    file,
    service: name,
    ...(chosen ? { chosen } : {}),
    line: yaml.lineOf(['services', name]),
    keys: INHERITED.filter((k) => k in s).map((key) => ({ key, line: yaml.lineOf(['services', name, key]) })),
    ports: (Array.isArray(s.ports) ? s.ports : []).flatMap(containerPort),
    ...healthOf(s, yaml, name),
    ...(typeof s.image === 'string' ? { image: s.image } : {}),
    ...(s.stop_signal !== undefined ? { stopSignal: String(s.stop_signal) } : {}),
    dependsOn: Array.isArray(s.depends_on) ? s.depends_on.map(String) : Object.keys(record(s.depends_on) ?? {}),
    dependsOnList: Array.isArray(s.depends_on),
    healthy: Object.fromEntries(names.map((n) => [n, record(record(services[n])?.healthcheck)?.test !== undefined])),
    ...buildOf(s.build),
    ...(s.entrypoint !== undefined ? { entrypoint: s.entrypoint } : {}),
    ...(s.command !== undefined ? { command: s.command } : {}),
  };
}

function pickService(services: Record<string, unknown>): string {
  const needed = new Set(Object.values(services).flatMap((s) => {
    const d = record(s)?.depends_on;
    return Array.isArray(d) ? d.map(String) : Object.keys(record(d) ?? {});
  }));
  const names = Object.keys(services);
  const serving = (n: string) => Array.isArray(record(services[n])?.ports);
  return names.find((n) => !needed.has(n) && serving(n)) ?? names.find((n) => !needed.has(n)) ?? names[0]!;
}

/** The container port of a compose `ports` entry: "8080", "8080:80", "127.0.0.1:8080:80/tcp", { target: 80 }. */
function containerPort(entry: unknown): string[] {
  if (typeof entry === 'number') return [String(entry)];
  if (typeof entry === 'string') {
    const [ports, proto] = entry.split('/');
    const last = ports!.split(':').at(-1)!;
    return proto && proto !== 'tcp' ? [] : /^\d+$/.test(last) ? [last] : [];
  }
  const target = record(entry)?.target;
  return target !== undefined && record(entry)?.protocol !== 'udp' ? [String(target)] : [];
}

function healthOf(s: Record<string, unknown>, yaml: YamlText, name: string): Pick<ComposeFacts, 'healthcheck'> {
  const test = record(s.healthcheck)?.test;
  if (test === undefined) return {};
  const words = Array.isArray(test) ? test.map(String) : shellWords(String(test));
  const text = Array.isArray(test) ? test.join(' ') : String(test);
  const check = httpCheck(words);
  const tcp = check ? undefined : tcpCheck(words);
  return { healthcheck: { text, line: yaml.lineOf(['services', name, 'healthcheck', 'test']), ...(check ? { http: check } : {}), ...(tcp ? { tcp } : {}) } };
}

function buildOf(build: unknown): Pick<ComposeFacts, 'build'> {
  if (typeof build === 'string') return { build: { context: build, dockerfile: 'Dockerfile' } };
  const b = record(build);
  return b && typeof b.context === 'string' ? { build: { context: b.context, dockerfile: typeof b.dockerfile === 'string' ? b.dockerfile : 'Dockerfile' } } : {};
}

/** The scenario for a compose service; `dockerfile`: its build context's Dockerfile, when it could be read. */
export function composeDraft(facts: ComposeFacts, composeRel: string, dockerfile?: { facts: DockerfileFacts; file: string }): Sketch {
  const f = facts.file;
  const keys = facts.keys.map((k) => `${k.key} (${k.line ? `line ${k.line}` : 'through a merge key'})`).join(', ');
  const entries: Entry[] = [
    { path: ['target', 'compose'], value: composeRel, why: `Read by sigstorm at every run, so the service is tested as compose defines it: ${keys || 'no keys'}.` },
    { path: ['target', 'service'], value: facts.service, why: `The service at ${at(f, facts.line)}${facts.chosen ? `: ${facts.chosen}` : ''}.` },
  ];
  if (dockerfile) {
    const d = dockerfile.facts;
    const read = [d.healthcheck ? `HEALTHCHECK line ${d.healthcheck.line}` : 'no HEALTHCHECK', d.stopSignal ? `STOPSIGNAL line ${d.stopSignal.line}` : 'no STOPSIGNAL'];
    entries.push({ path: ['target', 'service'], value: facts.service, why: `${entries[1]!.why} Its build context's ${dockerfile.file} was read too: ${read.join(', ')}.` });
  }
  const unknowns: string[] = [];
  const warnings: string[] = [];
  if (facts.dependsOn.length) {
    entries.push({ path: ['target'], why: `depends_on: ${facts.dependsOn.join(', ')} start first, taken from the same file (a stack: see Stacks in the README).` });
  }
  if (facts.dependsOn.length) {
    const names = facts.dependsOn.join(', ');
    unknowns.push(`process forms of the services it depends on (${names}): for --backend process, give each one under \`dependencies: { <name>: { process: … } }\``);
  }
  if (facts.dependsOnList) {
    const conditions = Object.fromEntries(facts.dependsOn.map((d) => [d, { condition: facts.healthy[d] ? 'service_healthy' : 'service_started' }]));
    const why = `depends_on at ${at(f, facts.keys.find((k) => k.key === 'depends_on')?.line)} is a list, which starts them without a condition: sigstorm waits for a healthcheck where the service has one (service_healthy), else only for the start.`;
    entries.push({ path: ['target', 'depends_on'], value: conditions, why });
  }
  let stopSignal = facts.stopSignal ?? 'SIGTERM';
  const df = dockerfile?.facts;
  if (!facts.stopSignal && df?.stopSignal) {
    stopSignal = df.stopSignal.value;
    entries.push({ path: ['target', 'stop_signal'], value: stopSignal, why: `STOPSIGNAL at ${at(dockerfile!.file, df.stopSignal.line)} (compose leaves it to the image).` });
  }
  const run = facts.entrypoint ?? facts.command;
  const warning = Array.isArray(run)
    ? signalWarning({ form: 'exec', argv: run.map(String), line: facts.keys.find((k) => k.key === (facts.entrypoint ? 'entrypoint' : 'command'))?.line ?? 0 }, facts.entrypoint ? 'entrypoint' : 'command', f)
    : facts.entrypoint === undefined && df
      ? (df.entrypoint && signalWarning(df.entrypoint, 'ENTRYPOINT', dockerfile!.file)) ?? (!df.entrypoint && df.cmd ? signalWarning(df.cmd, 'CMD', dockerfile!.file) : undefined)
      : undefined;
  if (warning) warnings.push(warning);
  if (!facts.build && !facts.keys.some((k) => k.key === 'image')) unknowns.push('an image or build context (the service has neither)');
  unknowns.push(NO_PROCESS_FORM);
  const draft = withEntries(emptyDraft(`${f}, service ${facts.service}`), entries, unknowns, warnings);
  return { draft, ready: readyOf(facts, dockerfile), stopSignal };
}

function readyOf(facts: ComposeFacts, dockerfile?: { facts: DockerfileFacts; file: string }): ReadyChoice {
  const hasPort = facts.ports.length > 0;
  const base: ReadyChoice = { hasPort, ...(hasPort ? { port: Number(facts.ports[0]) } : {}), names: namesOf(facts, dockerfile?.facts) };
  const h = facts.healthcheck;
  const d = dockerfile?.facts.healthcheck;
  if (h?.http && hasPort) {
    const port = h.http.port !== undefined && facts.ports.includes(String(h.http.port)) ? h.http.port : undefined;
    return { ...base, http: { path: h.http.path, ...(port ? { port } : {}), why: `healthcheck.test at ${at(facts.file, h.line)} asks ${h.http.url}.` } };
  }
  if (!h && d?.http && hasPort) {
    const port = d.http.port !== undefined && facts.ports.includes(String(d.http.port)) ? d.http.port : undefined;
    return { ...base, http: { path: d.http.path, ...(port ? { port } : {}), why: `HEALTHCHECK at ${at(dockerfile!.file, d.line)} asks ${d.http.url}.` } };
  }
  if (h?.tcp && hasPort) return { ...base, tcp: tcpReady(h.tcp, facts.ports, `healthcheck.test at ${at(facts.file, h.line)} (${h.text})`) };
  if (!h && d?.tcp && hasPort) return { ...base, tcp: tcpReady(d.tcp, facts.ports, `HEALTHCHECK at ${at(dockerfile!.file, d.line)} (${d.value})`) };
  if (h && hasPort) return { ...base, unusable: `its healthcheck (${h.text}, ${at(facts.file, h.line)}) is no HTTP request to this host` };
  return base;
}

/** What the service's files name it by: its image, build context, command, service name, the Dockerfile's base and command. */
function namesOf(facts: ComposeFacts, d: DockerfileFacts | undefined): string[] {
  const words = (v: unknown) => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? shellWords(v) : []);
  const run = d && (d.entrypoint ?? d.cmd);
  const names = [facts.image, facts.build?.context, ...words(facts.entrypoint ?? facts.command), ...(run?.argv ?? []), d?.from?.value, facts.service];
  return names.filter((n): n is string => Boolean(n));
}
