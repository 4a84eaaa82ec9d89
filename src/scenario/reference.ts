import { z } from 'zod';
import { fieldKindBase, fieldKindOf, type FieldKind } from '../input/fields/kinds.js';
import { osText } from '../input/fields/os-text.js';
import { scenarioSchema } from './schema/scenario.js';

// The scenario file format as plain rows, read from the zod schema itself (its descriptions, defaults, checks and
// shared field types): what docs/reference/scenario.md is rendered from (scripts/docs.mjs). The JSON Schema loses
// what a transform hides (a duration's default, a signal's), and the checks' messages; zod keeps both.

/** One key of the file: its path (`target.process.command`, `schedule[].at`, `expect.<signal>.exit`) and what it takes. */
export interface ReferenceRow {
  path: string;
  /** "duration", "integer, 1–20", "one of `main`, `group`", "list of signal", "mapping". */
  type: string;
  required: boolean;
  /** As a person writes it: "10s", "[main]"; "every key's default" for a section that may be left out. */
  default?: string;
  description?: string;
  /** What is checked beyond the type, as sentences: "Expects exactly one of `send` and `send_hex`." */
  checks: string[];
  /** The path whose keys this one takes too (a mapping documented once, at its shortest path), and the heading it is under. */
  sameAs?: { path: string; group?: string };
}

/** Rows under one heading: a section's own keys, or one form of a key that takes several (`stop` with `model: systemd`). */
export interface ReferenceGroup {
  title?: string;
  description?: string;
  rows: ReferenceRow[];
}

/** One top-level key of the file and every key under it. */
export interface ReferenceSection {
  key: string;
  groups: ReferenceGroup[];
}

export interface ScenarioReference {
  title?: string;
  description?: string;
  sections: ReferenceSection[];
  /** The shared field types the rows name, in order of first use. */
  kinds: FieldKind[];
}

type Schema = z.core.$ZodType;
interface Def {
  type: string;
  [key: string]: unknown;
}
const defOf = (s: Schema): Def => s._zod.def as unknown as Def;
const descriptionOf = (s: Schema): string | undefined => z.globalRegistry.get(s)?.description;

/** A key's schema with its wrappers taken off: whether it may be left out, its default, its description. */
interface Unwrapped {
  core: Schema;
  optional: boolean;
  default?: unknown;
  hasDefault: boolean;
  description?: string;
}

function unwrap(schema: Schema): Unwrapped {
  const out: Unwrapped = { core: schema, optional: false, hasDefault: false };
  for (let s = schema; ; ) {
    const def = defOf(s);
    out.description ??= ownDescription(s);
    out.core = s;
    if (fieldKindOf(s)) return out;
    if (def.type === 'optional') out.optional = true;
    else if (def.type === 'default' || def.type === 'prefault') [out.hasDefault, out.default] = [true, def.defaultValue];
    else if (def.type === 'pipe') {
      // z.preprocess: the input is a transform, the schema that judges it the output.
      const inner = def.in as Schema;
      s = defOf(inner).type === 'transform' ? (def.out as Schema) : inner;
      continue;
    } else return out;
    s = def.innerType as Schema;
  }
}

/** A schema's description, but a field type's generic one ("A duration: …"): the reference says that once. */
function ownDescription(s: Schema): string | undefined {
  const text = descriptionOf(s);
  const base = fieldKindBase(s);
  return base && text === descriptionOf(base) ? undefined : text;
}

const isLeaf = (u: Unwrapped): boolean => fieldKindOf(u.core) !== undefined || !hasMappings(u.core);

/** Whether a schema holds keys of its own to document (a mapping, a list or map of them, a union with one). */
function hasMappings(core: Schema): boolean {
  if (fieldKindOf(core)) return false;
  const def = defOf(core);
  if (def.type === 'object') return true;
  if (def.type === 'array') return hasMappings(unwrap(def.element as Schema).core);
  if (def.type === 'record') return hasMappings(unwrap(def.valueType as Schema).core);
  if (def.type === 'union') return (def.options as Schema[]).some((o) => hasMappings(unwrap(o).core));
  return false;
}

/** The field types named so far, by name (a clone's registry entry is a copy). */
type Kinds = Map<string, FieldKind>;

/**
 * What a walk collects: the groups in order, the group rows go to now, the field types named, and for each mapping
 * used in several places its home, the shortest path the first walk found it at: the second walk documents its keys
 * there once, so `expect.<signal>` holds the keys of an expectation and `dependencies.<service>.expect.<signal>`
 * points there.
 */
interface Walk {
  groups: ReferenceGroup[];
  group: ReferenceGroup;
  homes: Map<unknown, string>;
  /** The first walk only finds the homes: every mapping is walked wherever it is. */
  finding: boolean;
  /** The second walk: the mappings documented so far, with the heading of their rows. */
  documented: Map<unknown, string | undefined>;
  kinds: Kinds;
}

/** The scenario file format as sections of rows, in the schema's order. */
export function scenarioReference(schema: Schema = scenarioSchema()): ScenarioReference {
  const shape = defOf(unwrap(schema).core).shape as Record<string, Schema>;
  const homes = new Map<unknown, string>();
  const documented = new Map<unknown, string | undefined>();
  const kinds: Kinds = new Map();
  const walkAll = (finding: boolean) =>
    Object.entries(shape).map(([key, child]) => {
      const group: ReferenceGroup = { rows: [] };
      const walk: Walk = { groups: [group], group, homes, finding, documented, kinds };
      visit(walk, child, key, true);
      return { key, groups: walk.groups };
    });
  walkAll(true);
  kinds.clear();
  const sections = walkAll(false);
  return { title: z.globalRegistry.get(schema)?.title, description: descriptionOf(schema), sections, kinds: [...kinds.values()] };
}

/** The shorter of two paths, by keys (the first when they are as long). */
const shorter = (a: string, b: string): string => (b.split('.').length < a.split('.').length ? b : a);

/** Adds the row of one key and, for a mapping, list, map or union of forms, the rows under it. */
function visit(walk: Walk, schema: Schema, path: string, required: boolean): void {
  const u = unwrap(schema);
  const def = defOf(u.core);
  const row: ReferenceRow = {
    path,
    type: typeText(u.core, walk.kinds),
    required: required && !u.optional && !u.hasDefault,
    ...(u.hasDefault ? { default: defaultText(u) } : {}),
    ...(u.description || def.type === 'union' ? { description: withLeafForms(u.description, u.core, walk.kinds) } : {}),
    checks: checksOf(u.core),
  };
  if (!row.description) delete row.description;
  walk.group.rows.push(row);
  if (isLeaf(u)) return;
  const key = u.core._zod.def;
  const home = walk.homes.get(key);
  if (walk.finding) walk.homes.set(key, home === undefined ? path : shorter(home, path));
  else if (home !== path || walk.documented.has(key)) {
    const group = walk.documented.get(key);
    return void (row.sameAs = { path: home!, ...(group && group !== walk.group.title ? { group } : {}) });
  } else walk.documented.set(key, walk.group.title);
  if (def.type === 'object') visitKeys(walk, u.core, path);
  else if (def.type === 'array') visitInner(walk, def.element as Schema, `${path}[]`);
  else if (def.type === 'record') visitInner(walk, def.valueType as Schema, `${path}.<${keyName(def.keyType as Schema)}>`);
  else if (def.type === 'union') visitForms(walk, u.core, path);
}

/** The keys of a mapping, each as required as the mapping says. */
function visitKeys(walk: Walk, object: Schema, path: string): void {
  for (const [key, child] of Object.entries(defOf(object).shape as Record<string, Schema>)) {
    visit(walk, child, `${path}.${key}`, child._zod.optin !== 'optional');
  }
}

/** The element of a list or the value of a map, a row of its own (`requests[]`, `expect.<signal>`) with its keys under it. */
const visitInner = (walk: Walk, schema: Schema, path: string): void => visit(walk, schema, path, true);

/** Each mapping form of a union gets a group of its own, after the rows of the key it is a form of. */
function visitForms(walk: Walk, union: Schema, path: string): void {
  const def = defOf(union);
  const parent = walk.group;
  for (const option of def.options as Schema[]) {
    const u = unwrap(option);
    const type = defOf(u.core).type;
    if (type !== 'object') {
      // A list or map form (compose's `depends_on`): its rows follow the key's own.
      if (hasMappings(u.core)) visitFormInPlace(walk, u.core, path);
      continue;
    }
    const group: ReferenceGroup = { title: `\`${path}\` ${formName(u.core, def.discriminator as string | undefined)}`, rows: [] };
    if (u.description) group.description = u.description;
    walk.groups.push(group);
    walk.group = group;
    visitKeys(walk, u.core, path);
  }
  walk.group = parent;
}

function visitFormInPlace(walk: Walk, core: Schema, path: string): void {
  const def = defOf(core);
  if (def.type === 'array') visitInner(walk, def.element as Schema, `${path}[]`);
  if (def.type === 'record') visitInner(walk, def.valueType as Schema, `${path}.<${keyName(def.keyType as Schema)}>`);
}

/** A union's description, and what each of its described leaf forms means: "`close`: the reply ends when …". */
function withLeafForms(description: string | undefined, core: Schema, kinds: Kinds): string | undefined {
  if (defOf(core).type !== 'union') return description;
  const forms = (defOf(core).options as Schema[])
    .map(unwrap)
    .filter((o) => !hasMappings(o.core) && o.description)
    .map((o) => {
      const type = typeText(o.core, kinds);
      return `${type.startsWith('`') ? type : `A ${type}`}: ${o.description!.replace(/^./, (c) => c.toLowerCase())}.`;
    });
  const text = [description && `${description}.`, ...forms].filter(Boolean).join(' ');
  return text || undefined;
}

/** "with `model: kubernetes`" (a discriminated union), else "with `exec`": the form's first required key. */
function formName(object: Schema, discriminator: string | undefined): string {
  const shape = defOf(object).shape as Record<string, Schema>;
  if (discriminator) return `with \`${discriminator}: ${String((defOf(unwrap(shape[discriminator]!).core).values as unknown[])[0])}\``;
  const key = Object.keys(shape).find((k) => shape[k]!._zod.optin !== 'optional') ?? Object.keys(shape)[0];
  return `with \`${key}\``;
}

/** A map's key as a placeholder: its schema's title (`signal`), else `name`. */
const keyName = (key: Schema): string => z.globalRegistry.get(key)?.title ?? 'name';

/** The type column: a field type's name, a range, the allowed values, the forms of a union. */
function typeText(core: Schema, kinds: Kinds): string {
  const kind = fieldKindOf(core);
  if (kind) return kinds.set(kind.name, kind), kind.name;
  const def = defOf(core);
  const inner = (s: Schema) => typeText(unwrap(s).core, kinds);
  switch (def.type) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'number':
      return numberText(core);
    case 'literal':
      return (def.values as unknown[]).map((v) => `\`${String(v)}\``).join(' or ');
    case 'enum':
      return `one of ${Object.values(def.entries as Record<string, string>).map((v) => `\`${v}\``).join(', ')}`;
    case 'object':
      return 'mapping';
    case 'array':
      return listOf(inner(def.element as Schema));
    case 'record':
      return `map of ${keyName(def.keyType as Schema)} → ${inner(def.valueType as Schema)}`;
    case 'tuple':
      return `[${(def.items as Schema[]).map(inner).join(', ')}]`;
    case 'union':
      return unionText(def.options as Schema[], inner);
    default:
      return 'any';
  }
}

/** "string or a mapping (forms below)": the other forms by type, the mapping forms counted once. */
function unionText(options: Schema[], inner: (s: Schema) => string): string {
  const isObject = (o: Schema) => defOf(unwrap(o).core).type === 'object';
  const leaves = options.filter((o) => !isObject(o)).map(inner);
  const mappings = options.length - leaves.length;
  const forms = [...new Set(leaves), ...(mappings > 0 ? [mappings > 1 ? 'a mapping (forms below)' : 'a mapping (below)'] : [])];
  return forms.length > 1 ? `${forms.slice(0, -1).join(', ')} or ${forms.at(-1)}` : forms[0]!;
}

/** "list of signals", "list of mappings (forms below)", "list, each one of `main`, `group`". */
function listOf(element: string): string {
  if (element.startsWith('one of ')) return `list, each ${element}`;
  const plural = element
    .replace(/^a mapping/, 'mappings')
    .replace(/^(string|boolean|number|integer|signal|port|duration|command|mapping)\b/, '$1s')
    .replace(/^exit status\b/, 'exit statuses');
  return `list of ${plural}`;
}

/** "integer, 1–20", "number > 0": what zod checks of a number, its safe-integer bounds left out. */
function numberText(core: Schema): string {
  const checks = (defOf(core).checks as Schema[] | undefined) ?? [];
  const integer = checks.some((c) => ['int', 'safeint'].includes(String(defOf(c).format)));
  let min: string | undefined;
  let max: string | undefined;
  for (const c of checks) {
    const d = defOf(c) as Def & { check: string; value: number; inclusive: boolean };
    if (Math.abs(d.value) >= Number.MAX_SAFE_INTEGER) continue;
    if (d.check === 'greater_than') min = d.inclusive ? `${d.value}` : `> ${d.value}`;
    if (d.check === 'less_than') max = d.inclusive ? `${d.value}` : `< ${d.value}`;
  }
  const name = integer ? 'integer' : 'number';
  if (min !== undefined && max !== undefined && !min.startsWith('>') && !max.startsWith('<')) return `${name}, ${min}–${max}`;
  const bounds = [min && (min.startsWith('>') ? min : `≥ ${min}`), max && (max.startsWith('<') ? max : `≤ ${max}`)].filter(Boolean);
  return bounds.length > 0 ? `${name}, ${bounds.join(' and ')}` : name;
}

/** The checks a schema runs beyond its type, as sentences ("Not empty.", "Starts with `/`.", a refinement's message). */
function checksOf(core: Schema): string[] {
  if (fieldKindOf(core)) return [];
  const def = defOf(core);
  const own = ((def.checks as Schema[] | undefined) ?? []).map(checkText).filter((t): t is string => t !== undefined);
  if (def.type === 'array' || def.type === 'tuple') {
    const element = def.type === 'array' ? [def.element as Schema] : (def.items as Schema[]);
    // A list of mappings: the element's checks are on its own row.
    own.push(...element.map(unwrap).flatMap((e) => (isLeaf(e) ? checksOf(e.core) : [])));
  }
  return [...new Set(own)];
}

/** Checks not worth a line: text handed to the OS holds no NUL byte (paths, commands, environment). */
const OBVIOUS = new Set<unknown>((defOf(osText).checks as unknown[] | undefined) ?? []);

function checkText(check: Schema): string | undefined {
  if (OBVIOUS.has(check)) return undefined;
  const d = defOf(check) as Def & { check: string; minimum?: number; maximum?: number; format?: string; prefix?: string; pattern?: RegExp; error?: unknown };
  const message = typeof d.error === 'function' ? (d.error as () => unknown)() : undefined;
  if (typeof message === 'string') return sentence(message);
  if (d.check === 'min_length') return d.minimum === 1 ? 'Not empty.' : `At least ${d.minimum}.`;
  if (d.check === 'max_length') return `At most ${d.maximum}.`;
  if (d.check === 'string_format' && d.format === 'starts_with') return `Starts with \`${d.prefix}\`.`;
  if (d.check === 'string_format' && d.format === 'regex') return `Matches \`${d.pattern?.source}\`.`;
  return undefined;
}

/** "expected a path with {id}" → "Expects a path with {id}." */
const sentence = (message: string): string => {
  const text = message.replace(/^expected /, 'Expects ');
  return `${text[0]!.toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? '' : '.'}`;
};

/** A default as a person writes it; a section that may be left out takes every key's default. */
function defaultText(u: Unwrapped): string {
  const value = u.default;
  const kind = fieldKindOf(u.core);
  if (kind?.show) return kind.show(value);
  if (Array.isArray(value)) return `[${value.map(String).join(', ')}]`;
  if (value !== null && typeof value === 'object') return Object.keys(value).length === 0 ? '{}' : "every key's default";
  // A delimiter such as "\n" is shown as YAML would write it.
  return typeof value === 'string' && /[^\x21-\x7e]/.test(value) ? JSON.stringify(value) : String(value);
}

