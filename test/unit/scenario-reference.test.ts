import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defaultsWhenAbsent } from '../../src/input/defaults.js';
import { duration } from '../../src/input/fields/duration.js';
import { signal } from '../../src/input/fields/signal.js';
import { scenarioReference, type ReferenceRow } from '../../src/scenario/reference.js';

// The rows docs/reference/scenario.md is rendered from, read from a small schema written the way the real one is.

const shared = z.strictObject({ path: z.string().startsWith('/').meta({ description: 'Where' }) }).meta({ description: 'A probe' });
const schema = z
  .strictObject({
    name: z.string().regex(/^\w+$/, 'expected a word').optional().meta({ description: 'Its name' }),
    grace: duration().default(10_000).meta({ description: 'How long' }),
    stop: signal.default('SIGTERM'),
    limits: defaultsWhenAbsent(z.strictObject({ count: z.number().int().min(1).max(20).default(3).meta({ description: 'How many' }) })),
    deep: z.strictObject({ probe: shared.meta({ description: 'Deep down' }) }).optional().meta({ description: 'Nested' }),
    probe: shared.optional(),
    until: z
      .union([z.literal('close').meta({ description: 'At close' }), z.strictObject({ length: z.number().int().min(1).meta({ description: 'Bytes' }) })])
      .default('\n')
      .meta({ description: 'Where it ends' }),
    events: z
      .array(
        z.discriminatedUnion('kind', [
          z.strictObject({ kind: z.literal('a'), at: duration().meta({ description: 'When' }) }).meta({ description: 'Form a' }),
          z.strictObject({ kind: z.literal('b'), to: z.enum(['x', 'y']).default('x').meta({ description: 'Whom' }) }),
        ]),
      )
      .optional()
      .meta({ description: 'What happens' }),
    by: z.record(z.string().meta({ title: 'signal' }), z.strictObject({ exit: z.array(z.number()).min(1).meta({ description: 'Statuses' }) })).default({}),
  })
  .refine(() => true, { message: 'expected something sensible' })
  .meta({ title: 'a file', description: 'A whole file' });

const ref = scenarioReference(schema);
const row = (path: string, group?: string): ReferenceRow => {
  const rows = ref.sections.flatMap((s) => s.groups.filter((g) => group === undefined || g.title?.includes(group)).flatMap((g) => g.rows));
  const found = rows.find((r) => r.path === path);
  if (!found) throw new Error(`no row ${path} in ${rows.map((r) => r.path).join(', ')}`);
  return found;
};

describe('the scenario reference, read from the zod schema', () => {
  it('has a section per top-level key, in order, and the file as a whole', () => {
    expect(ref.sections.map((s) => s.key)).toEqual(['name', 'grace', 'stop', 'limits', 'deep', 'probe', 'until', 'events', 'by']);
    expect([ref.title, ref.description]).toEqual(['a file', 'A whole file']);
  });

  it('names shared field types, and shows their defaults as a person writes them', () => {
    expect(row('grace')).toMatchObject({ type: 'duration', default: '10s', description: 'How long', required: false });
    expect(row('stop')).toMatchObject({ type: 'signal', default: 'SIGTERM' });
    expect(row('stop').description).toBeUndefined(); // not the field type's own generic description
    expect(ref.kinds.map((k) => k.name)).toEqual(['duration', 'signal']);
  });

  it('gives ranges, allowed values, checks and whether a key is required', () => {
    expect(row('name')).toMatchObject({ type: 'string', required: false, checks: ['Expects a word.'] });
    expect(row('limits.count')).toMatchObject({ type: 'integer, 1–20', default: '3' });
    expect(row('limits')).toMatchObject({ type: 'mapping', default: "every key's default" });
    expect(row('by')).toMatchObject({ type: 'map of signal → mapping', default: '{}' });
    expect(row('by.<signal>.exit')).toMatchObject({ type: 'list of numbers', required: true, checks: ['Not empty.'] });
    expect(row('probe.path')).toMatchObject({ required: true, checks: ['Starts with `/`.'] });
  });

  it('documents a mapping used twice once, at its shortest path, and points there from the other', () => {
    expect(row('probe').sameAs).toBeUndefined();
    expect(row('deep.probe')).toMatchObject({ description: 'Deep down', sameAs: { path: 'probe' } });
    expect(ref.sections.flatMap((s) => s.groups.flatMap((g) => g.rows)).some((r) => r.path === 'deep.probe.path')).toBe(false);
  });

  it('gives each mapping form of a union a group of its own, and says what the other forms mean', () => {
    expect(row('until')).toMatchObject({ type: '`close` or a mapping (below)', default: '"\\n"', description: 'Where it ends. `close`: at close.' });
    expect(row('until.length', '`until` with `length`')).toMatchObject({ type: 'integer, ≥ 1', description: 'Bytes' });
    const events = ref.sections.find((s) => s.key === 'events')!.groups;
    expect(events.map((g) => g.title)).toEqual([undefined, '`events[]` with `kind: a`', '`events[]` with `kind: b`']);
    expect(events[1]!.description).toBe('Form a');
    expect(row('events[].to', 'kind: b')).toMatchObject({ type: 'one of `x`, `y`', default: 'x' });
    expect(row('events[].kind', 'kind: a')).toMatchObject({ type: '`a`', required: true });
  });
});
