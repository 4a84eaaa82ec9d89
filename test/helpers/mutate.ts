import fc from 'fast-check';

// Mutations of structured input (scenario files, reports) and of text, for the bad-input property tests.

type Key = string | number;
type Json = unknown;

/** Every path into a plain value: object keys and array indices, the root included. */
export function pathsOf(value: Json, prefix: Key[] = [], out: Key[][] = []): Key[][] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...prefix, i], out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  return out;
}

/** Values of the wrong type, at the edges, or meant to break a parser or a shell. */
export const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    true,
    false,
    0,
    -1,
    -0.5,
    1e300,
    -1e300,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    2 ** 31,
    2 ** 53 + 1,
    '',
    ' ',
    '10 parsecs',
    '-5s',
    '1.5.5s',
    '0ms',
    '0',
    '1e3s',
    '99999999999h',
    'SIGFOO',
    'TERM',
    'sigterm',
    '15',
    '999',
    'SIGKILL',
    'SIGSTOP',
    'everyone',
    '/',
    '../..',
    'a\u0000b',
    '💥',
    '${HOME}',
    '$(touch /tmp/sigstorm-pwned)',
    '; touch /tmp/sigstorm-pwned',
    '`id`',
    'x'.repeat(5000),
    [],
    {},
    [[[]]],
    JSON.parse('{"__proto__": {"polluted": 1}}'),
    { constructor: 1, toString: 2 },
  ),
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.jsonValue({ maxDepth: 3 }),
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
  fc.integer({ min: 1, max: 200 }).map((depth) => nested(depth)),
);

export const nested = (depth: number): unknown => {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { k: v };
  return v;
};

export type StructOp =
  | { op: 'delete'; at: number }
  | { op: 'set'; at: number; value: unknown }
  | { op: 'addKey'; at: number; key: string; value: unknown }
  | { op: 'rename'; at: number; key: string };

export const structOp: fc.Arbitrary<StructOp> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  { weight: 3, arbitrary: fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: weirdValue }) },
  fc.record({
    op: fc.constant('addKey' as const),
    at: fc.nat(),
    key: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'SIGTERM', 'sigterm', 'TERM', '<<')),
    value: weirdValue,
  }),
  fc.record({ op: fc.constant('rename' as const), at: fc.nat(), key: fc.string({ maxLength: 12 }) }),
);

/** Applies one structural mutation to a deep copy of `root`. */
export function applyStructOp(root: unknown, op: StructOp): unknown {
  const copy = structuredClone(root);
  const paths = pathsOf(copy);
  const path = paths[op.at % paths.length]!;
  if (path.length === 0) {
    if (op.op === 'set') return op.value;
    if (op.op === 'delete') return null;
  }
  const parent = path.slice(0, -1).reduce<any>((v, k) => v[k], copy);
  const key = path.at(-1)!;
  const self = path.length ? parent[key] : copy;
  switch (op.op) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
      break;
    case 'set':
      parent[key] = op.value;
      break;
    case 'addKey':
      if (self !== null && typeof self === 'object' && !Array.isArray(self)) Object.defineProperty(self, op.key, { value: op.value, enumerable: true, writable: true, configurable: true });
      else if (Array.isArray(self)) self.push(op.value);
      break;
    case 'rename':
      if (!Array.isArray(parent) && path.length) {
        const value = parent[key];
        delete parent[key];
        Object.defineProperty(parent, op.key, { value, enumerable: true, writable: true, configurable: true });
      }
      break;
  }
  return copy;
}

const specials = [': ', '- ', '&a ', '*a', '<<: *a\n', '<<: 5\n', '{', '[', ']', '"', "'", '!!binary ', '!!set ', '!!timestamp ', '!js/function ', '%YAML 1.1\n---\n', '---\n', '...\n', '\t', '\u0000', '\uFEFF', '#', '|', '>', '? ', ',', '\r\n', '\u2028'];

export type TextOp =
  | { op: 'truncate'; at: number }
  | { op: 'deleteLine'; at: number }
  | { op: 'duplicateLine'; at: number }
  | { op: 'swapLines'; a: number; b: number }
  | { op: 'indent'; at: number; by: string }
  | { op: 'insert'; at: number; text: string };

export const textOp: fc.Arbitrary<TextOp> = fc.oneof(
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('deleteLine' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('duplicateLine' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('swapLines' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ op: fc.constant('indent' as const), at: fc.nat(), by: fc.constantFrom(' ', '  ', '   ', '\t', '-') }),
  { weight: 2, arbitrary: fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...specials), fc.string({ maxLength: 10 })) }) },
);

export function applyTextOp(text: string, op: TextOp): string {
  const lines = text.split('\n');
  const line = (n: number) => n % Math.max(1, lines.length);
  switch (op.op) {
    case 'truncate':
      return text.slice(0, op.at % (text.length + 1));
    case 'deleteLine':
      lines.splice(line(op.at), 1);
      return lines.join('\n');
    case 'duplicateLine':
      lines.splice(line(op.at), 0, lines[line(op.at)] ?? '');
      return lines.join('\n');
    case 'swapLines': {
      const [a, b] = [line(op.a), line(op.b)];
      [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      return lines.join('\n');
    }
    case 'indent':
      lines[line(op.at)] = op.by + (lines[line(op.at)] ?? '');
      return lines.join('\n');
    case 'insert': {
      const at = op.at % (text.length + 1);
      return text.slice(0, at) + op.text + text.slice(at);
    }
  }
}

/** Bytes that are not UTF-8 (or not text at all), put somewhere in a file. */
export type ByteOp = { at: number; bytes: Uint8Array };
export const byteOp: fc.Arbitrary<ByteOp> = fc.record({
  at: fc.nat(),
  bytes: fc.oneof(fc.constantFrom(Uint8Array.of(0xff), Uint8Array.of(0xc3, 0x28), Uint8Array.of(0xed, 0xa0, 0x80), Uint8Array.of(0)), fc.uint8Array({ minLength: 1, maxLength: 16 })),
});

export function applyByteOp(buffer: Buffer, op: ByteOp): Buffer {
  const at = op.at % (buffer.length + 1);
  return Buffer.concat([buffer.subarray(0, at), Buffer.from(op.bytes), buffer.subarray(at)]);
}

/** A YAML alias bomb ("billion laughs"). */
export const aliasBomb = (levels: number): string => {
  const lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (let i = 1; i <= levels; i++) lines.push(`l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\n`;
};
