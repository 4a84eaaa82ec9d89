import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { z } from 'zod';
import { badInput, SigstormError } from '../errors.js';
import { normalizeSignal, statusForSignal, type SignalName } from '../signals.js';
import { coverageNotes } from './coverage.js';
import { composeKeys, ScenarioSchema, type ParsedScenario, type Scenario, type SignalExpectation } from './schema.js';

/** A YAML file parsed with positions kept, so errors can name a line. */
interface SourceFile {
  path: string;
  doc: Document.Parsed;
  lines: LineCounter;
  /** The document as plain data. */
  value: unknown;
}

type KeyPath = (string | number)[];

export interface Problem {
  file: string;
  line?: number;
  column?: number;
  keyPath: string;
  message: string;
}

/** Thrown for a scenario that cannot be used; carries every problem found, each with file, line and key path. */
export class ScenarioError extends SigstormError {
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    const sorted = [...problems].sort((a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0));
    super('bad-input', sorted.map(formatProblem).join('\n'));
    this.problems = sorted;
    this.name = 'ScenarioError';
  }
}

export const formatProblem = (p: Problem): string =>
  `${p.file}${p.line ? `:${p.line}:${p.column ?? 1}` : ''}: ${p.keyPath ? `${p.keyPath}: ` : ''}${p.message}`;

async function readYaml(path: string, what: string): Promise<SourceFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? String(error));
    throw badInput(`${path}: cannot read ${what} (${why})`);
  }
  const text = decodeUtf8(bytes);
  if (text === undefined) {
    const at = firstInvalidUtf8(bytes);
    const line = bytes.subarray(0, at).toString('latin1').split('\n').length;
    throw new ScenarioError([{ file: path, line, keyPath: '', message: `expected UTF-8 text (invalid byte 0x${bytes[at]?.toString(16).padStart(2, '0')} at offset ${at}: a binary file?)` }]);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: true, logLevel: 'error' });
  const problem = (offset: number, message: string): Problem => {
    const at = lines.linePos(offset);
    return { file: path, line: at.line, column: at.col, keyPath: '', message: `invalid YAML: ${yamlMessage(message)}` };
  };
  if (doc.errors.length > 0) throw new ScenarioError(doc.errors.map((e) => problem(e.pos[0], e.message)));
  // A list or map used as a key would be stringified (with a warning on stderr): refuse it where it is.
  const oddKeys: Problem[] = [];
  visit(doc, {
    Pair(_, pair) {
      if (pair.key !== null && !isScalar(pair.key)) oddKeys.push(problem((pair.key as { range?: number[] }).range?.[0] ?? 0, 'a key must be a plain name, not a list or a map'));
    },
  });
  if (oddKeys.length > 0) throw new ScenarioError(oddKeys);
  let value: unknown;
  try {
    // Aliases, merge keys and tags are resolved here; bombs of aliases are refused (the library's own limit).
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    throw new ScenarioError([problem(0, (error as Error).message)]);
  }
  return { path, doc, lines, value };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** The offset of the first byte that does not continue a valid UTF-8 sequence (binary search on prefixes). */
function firstInvalidUtf8(bytes: Buffer): number {
  const strict = new TextDecoder('utf-8', { fatal: true });
  let low = 0;
  let high = bytes.length;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    try {
      strict.decode(bytes.subarray(0, mid), { stream: true });
      low = mid;
    } catch {
      high = mid - 1;
    }
  }
  return low;
}

/** The library's first line, with what a person can act on for the messages that come from its limits. */
function yamlMessage(message: string): string {
  const first = message.split('\n')[0]!;
  if (/call stack/i.test(first)) return 'nested too deeply';
  if (/alias count/i.test(first)) return 'too many aliases (an alias bomb?)';
  return first;
}

/** The line of the value (or, for `keyOnly`, of the key) at a key path, when the file has it. */
function locate(source: SourceFile, path: KeyPath, keyOnly = false): { line: number; column: number } | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const head = path.slice(0, depth);
    if (keyOnly && depth === path.length && depth > 0) {
      const parent = source.doc.getIn(head.slice(0, -1), true);
      if (isMap(parent)) {
        const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === head.at(-1));
        const range = (pair?.key as { range?: [number, number] } | undefined)?.range;
        if (range) return pos(source, range[0]);
      }
      continue;
    }
    const node = depth === 0 ? source.doc.contents : source.doc.getIn(head, true);
    const range = (node as { range?: [number, number] } | null | undefined)?.range;
    if (range) return pos(source, range[0]);
  }
  return undefined;
}

const pos = (source: SourceFile, offset: number) => {
  const p = source.lines.linePos(offset);
  return { line: p.line, column: p.col };
};

/** `target.ready.http`, `expect.SIGTERM.exit[1]`; a key that is not a plain word is quoted so it can be seen. */
const keyPathText = (path: KeyPath) =>
  path
    .map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i === 0 ? '' : '.'}${/^[A-Za-z0-9_-]+$/.test(k) ? k : visible(k)}`))
    .join('');

/** A JSON string with invisible characters (a byte-order mark, zero-width spaces) spelled out. */
const visible = (text: string) =>
  JSON.stringify(text).replace(/[\p{Cf}\p{Zl}\p{Zp}\p{Cc}\u00a0]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

const describeValue = (value: unknown): string =>
  Array.isArray(value) ? 'a list' : value instanceof Date ? 'a date' : typeof value === 'object' ? 'a set, map or binary value' : `a ${typeof value}`;

/** A YAML mapping as a plain object (not a list, a scalar, a Set or a Map). */
const mapping = (value: unknown): Record<string, unknown> | undefined =>
  value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype ? (value as Record<string, unknown>) : undefined;

/** The file name as a scenario name (report directories are named after it), when `name` is not given. */
export function defaultName(path: string): string {
  const name = basename(path, extname(path)).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return name || 'scenario';
}

/** Loads, merges (compose service + scenario keys) and validates one scenario file. */
export async function loadScenario(file: string): Promise<Scenario> {
  if (typeof file !== 'string' || file.trim() === '') {
    throw badInput(`${JSON.stringify(file)}: expected the path of a scenario file (reading standard input, "-", is not supported)`);
  }
  const path = resolve(file);
  const source = await readYaml(path, 'scenario');
  const scenario = mapping(source.value);
  if (!scenario) {
    const what = source.value === null || source.value === undefined ? 'the file is empty' : `found ${describeValue(source.value)}`;
    throw new ScenarioError([{ file: path, line: 1, keyPath: '', message: `expected a mapping with \`target\` and \`expect\`; ${what}` }]);
  }
  const rawTarget = mapping(scenario.target);

  // A compose service supplies the container keys the scenario leaves out.
  let compose: { source: SourceFile; service: string; keys: Set<string> } | undefined;
  let merged: Record<string, unknown> = scenario;
  // (A compose path with a NUL byte is left to the schema, which says so.)
  if (rawTarget && typeof rawTarget.compose === 'string' && !rawTarget.compose.includes('\0') && typeof rawTarget.service === 'string') {
    const composePath = resolve(dirname(path), rawTarget.compose);
    let composeSource: SourceFile;
    try {
      composeSource = await readYaml(composePath, 'compose file');
    } catch (error) {
      if (error instanceof ScenarioError || !(error instanceof SigstormError)) throw error; // those name the compose file's lines
      throw new ScenarioError([{ file: path, ...locate(source, ['target', 'compose']), keyPath: 'target.compose', message: error.message }]);
    }
    const services = mapping((mapping(composeSource.value) ?? {}).services);
    const service = services && Object.hasOwn(services, rawTarget.service) ? mapping(services[rawTarget.service]) : undefined;
    if (!service) {
      throw new ScenarioError([
        {
          file: path,
          ...locate(source, ['target', 'service']),
          keyPath: 'target.service',
          message: `expected a service of ${composePath}; it has: ${Object.keys(services ?? {}).join(', ') || 'none'}`,
        },
      ]);
    }
    const inherited = Object.fromEntries(composeKeys.filter((k) => k in service && !(k in rawTarget)).map((k) => [k, service[k]]));
    compose = { source: composeSource, service: rawTarget.service, keys: new Set(Object.keys(inherited)) };
    merged = { ...scenario, target: { ...inherited, ...rawTarget } };
  }

  const result = ScenarioSchema.safeParse(merged);
  const problems: Problem[] = [];
  const problemAt = (keyPath: KeyPath, message: string, keyOnly = false) => {
    // Keys inherited from the compose file are reported where they are written.
    const fromCompose = compose && keyPath[0] === 'target' && compose.keys.has(String(keyPath[1]));
    const where = fromCompose ? compose!.source : source;
    const located = fromCompose ? ['services', compose!.service, ...keyPath.slice(1)] : keyPath;
    problems.push({ file: where.path, ...locate(where, located, keyOnly), keyPath: keyPathText(located), message });
  };
  if (!result.success) {
    for (const issue of result.error.issues) {
      const at = issue.path as KeyPath;
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) problemAt([...at, key], unknownKeyMessage(at), true);
      } else {
        problemAt(at, describeIssue(issue));
      }
    }
    throw new ScenarioError(problems);
  }

  const parsed = result.data;
  const expect: Scenario['expect'] = {};
  for (const [key, value] of Object.entries(parsed.expect)) {
    const name = normalizeSignal(key);
    if (!name) {
      problemAt(['expect', key], 'expected a signal name such as SIGTERM, SIGINT or SIGHUP', true);
      continue;
    }
    expect[name] = toExpectation(value, parsed.target.stop_grace_period);
  }
  const scenarioDir = dirname(path);
  const composeDir = compose ? dirname(compose.source.path) : scenarioDir;
  const t = parsed.target;
  const hasContainer = t.image !== undefined || t.build !== undefined;
  if (hasContainer && t.ready?.http && !t.ready.port && (t.ports ?? []).length === 0) {
    problemAt(['target', 'ready', 'http'], 'an HTTP probe of a container needs `ready.port` or `ports`');
  }
  if (parsed.workload?.writes && !t.data_dir && hasContainer) {
    problemAt(['workload', 'writes', 'readback'], 'a read-back file needs `target.data_dir` (where the target keeps its data)');
  }
  if (problems.length > 0) throw new ScenarioError(problems);

  const expectAll = withDefaultExpectations(expect, t.stop_grace_period, t.stop_signal);
  const faults = faultSpace(parsed.faults, t.stop_signal, Object.keys(expect) as SignalName[]);
  return {
    name: parsed.name ?? defaultName(path),
    ...(parsed.description ? { description: parsed.description } : {}),
    path,
    expect: expectAll,
    workload: parsed.workload ?? { requests: [], streams: [] },
    oracles: parsed.oracles,
    schedule: [...(parsed.schedule ?? [])].sort((a, b) => a.at - b.at),
    faults,
    coverage: coverageNotes(faults.signals, Object.keys(expect) as SignalName[]),
    target: {
      ...(t.data_dir ? { dataDir: t.data_dir } : {}),
      stopSignal: t.stop_signal,
      stopGracePeriod: t.stop_grace_period,
      ready: t.ready ?? { timeout: 30_000 },
      ...(t.prepare ? { prepare: { command: t.prepare, cwd: scenarioDir } } : {}),
      ...(hasContainer
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
    },
  };
}

/**
 * The fault space, by default drawn from the declared contract: the stop signal, the signals named under `expect`,
 * and SIGTERM + SIGINT only when the stop signal is one of them (the `docker stop` default, whose races apply).
 * A server whose documented stop is SIGQUIT is not failed for what its documented fast shutdown does.
 */
function faultSpace(f: ParsedScenario['faults'], stopSignal: SignalName, declared: SignalName[]): Scenario['faults'] {
  const dockerStop: SignalName[] = ['SIGTERM', 'SIGINT'].includes(stopSignal) ? ['SIGTERM', 'SIGINT'] : [];
  return {
    signals: f?.signals ?? [...new Set([stopSignal, ...dockerStop, ...declared])],
    to: f?.to ?? ['main'],
    races: f?.races ?? true,
    storms: f?.storms ?? true,
    pauses: f?.pauses ?? false,
    partitions: f?.partitions ?? false,
    maxEvents: f?.max_events ?? 3,
    horizon: f?.horizon ?? 1500,
    step: f?.step ?? 25,
  };
}

function toExpectation(e: ParsedScenario['expect'][string], grace: number): SignalExpectation {
  return e.alive ? { kind: 'alive', settle: e.settle } : { kind: 'exit', exit: e.exit!, within: e.within ?? grace };
}

/**
 * Like `docker stop`: the stop signal (and SIGTERM/SIGINT) must end the target cleanly within the grace period.
 * These judge the schedules a user writes (`run`, `--events`); a campaign sends only its fault space.
 */
function withDefaultExpectations(
  declared: Scenario['expect'],
  grace: number,
  stopSignal: SignalName,
): Scenario['expect'] {
  const out = { ...declared };
  for (const sig of new Set<SignalName>([stopSignal, 'SIGTERM', 'SIGINT'])) {
    out[sig] ??= { kind: 'exit', exit: [0, statusForSignal(sig)], within: grace };
  }
  return out;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_union') {
    // Report the branch that got furthest rather than zod's generic "invalid input".
    const branches = issue.errors.map((errs) => errs.map((e) => e.message));
    const specific = branches.flat().find((m) => !/^Invalid input: expected/.test(m));
    if (specific) return specific;
    const expected = [...new Set(branches.flat().map((m) => /expected (\w+)/.exec(m)?.[1]).filter(Boolean))];
    return expected.length ? `expected ${expected.join(' or ')}` : issue.message;
  }
  const message = issue.message.replace(/^Invalid input: /, '');
  // zod says "expected object, received undefined" for a key that is not there.
  return message.replace(/^(expected .*), received undefined$/, 'missing: $1');
}

interface SchemaDef {
  type: string;
  shape?: Record<string, unknown>;
  innerType?: unknown;
  in?: unknown;
  options?: unknown[];
  valueType?: unknown;
}
const defOf = (schema: unknown): SchemaDef => (schema as { _zod: { def: SchemaDef } })._zod.def;

/** Strips optional/default/pipe wrappers and picks the object branch of a union. */
function unwrap(schema: unknown): unknown {
  for (let def = defOf(schema); ; def = defOf(schema)) {
    if (def.type === 'object' || def.type === 'record') return schema;
    const next = def.innerType ?? def.in ?? def.options?.find((o) => ['object', 'record'].includes(defOf(o).type));
    if (!next) return schema;
    schema = next;
  }
}

/** The keys a mapping at `path` accepts, read from the schema itself so the message never goes stale. */
function allowedKeys(path: KeyPath): string[] {
  let schema: unknown = ScenarioSchema;
  for (const segment of path) {
    const def = defOf(unwrap(schema));
    schema = def.type === 'record' ? def.valueType : def.shape?.[String(segment)];
    if (!schema) return [];
  }
  const def = defOf(unwrap(schema));
  return def.type === 'object' ? Object.keys(def.shape ?? {}) : [];
}

function unknownKeyMessage(path: KeyPath): string {
  const keys = allowedKeys(path);
  return keys.length ? `unknown key; expected one of: ${keys.join(', ')}` : 'unknown key';
}
