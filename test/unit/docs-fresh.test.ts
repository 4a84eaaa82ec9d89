import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMAND, FILES, renderAll, textLines } from '../../scripts/docs.mjs';
import { EXIT_STATUSES, ExitCode } from '../../src/errors.js';
import { catalogueOf } from '../../src/oracles/diagnoses.js';
import { UNKNOWN } from '../../src/oracles/diagnose.js';
import { scenarioJsonSchema } from '../../src/scenario/json-schema.js';
import { scenarioReference } from '../../src/scenario/reference.js';

const committed = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

describe('the generated reference (docs/reference/)', () => {
  let rendered: Record<string, string> = {};
  beforeAll(async () => {
    // From the sources (`npm run docs` reads the build): a file is stale against the code as it is, built or not.
    rendered = await renderAll((path: string) => import(`../../src/${path.replace(/\.js$/, '.ts')}`));
  });

  it('every committed file is what the code renders now', () => {
    const stale = Object.keys(rendered).filter((path) => committed(path) !== rendered[path]);
    expect(stale.map((path) => `${path} is stale: run \`${COMMAND}\` and commit it`)).toEqual([]);
  });

  it('renders every file it lists', () => {
    expect(Object.keys(rendered).sort()).toEqual(Object.keys(FILES).sort());
  });

  it('the diagnosis catalogue lists every entry, in the order they are tried, and the unknown cause', () => {
    const text = rendered['docs/reference/diagnoses.md']!;
    const headings = [...text.matchAll(/^## (\S+)$/gm)].map((m) => m[1]);
    expect(headings).toEqual([...catalogueOf().map((e) => e.id), UNKNOWN.id]);
  });

  it('the scenario reference names every key of the JSON Schema', () => {
    const text = rendered['docs/reference/scenario.md']!;
    const missing = [...propertyNames(scenarioJsonSchema())].filter((name) => !text.includes(`.${name}\``) && !text.includes(`## ${name}\n`));
    expect(missing).toEqual([]);
  });

  it('the exit statuses list every status of ExitCode', () => {
    const listed = EXIT_STATUSES.flatMap((s) => [s.status].flat());
    expect(Object.values(ExitCode).filter((status) => !listed.includes(status))).toEqual([]);
    for (const status of listed) expect(rendered['docs/reference/exit-codes.md']).toContain(String(status));
  });
});

describe('the scenario schema', () => {
  it('describes every key (but the `kind` or `model` that names a form, and the element of a list or map)', () => {
    const rows = scenarioReference().sections.flatMap((s) => s.groups.flatMap((g) => g.rows));
    const undescribed = rows.filter((r) => !r.description && !r.type.startsWith('`') && !/(\[\]|>)$/.test(r.path)).map((r) => r.path);
    expect(undescribed).toEqual([]);
  });
});

describe('a cause or fix in the catalogue', () => {
  it('is printed as written, or described when it is written from the evidence', () => {
    expect(textLines('Fix', 'Flush first.')).toEqual(['**Fix:** Flush first.', '']);
    expect(textLines('Cause', () => 'SIGTERM …')[0]).toMatch(/^\*\*Cause:\*\* _Written from the evidence/);
  });

  it('may give a text per runtime: the neutral one first, then each runtime by name, a function described', () => {
    const lines = textLines('Fix', { python: 'Join the threads.', go: 'Wait for Shutdown.', neutral: 'Wait for the drain.', node: () => 'server.close(…)', zig: 'Defer.' });
    expect(lines).toEqual([
      '**Fix**, by the runtime of the main process:',
      '',
      '- Any runtime: Wait for the drain.',
      '- Go: Wait for Shutdown.',
      expect.stringMatching(/^- Node: _Written from the evidence/),
      '- Python: Join the threads.',
      '- zig: Defer.',
      '',
    ]);
  });
});

/** Every property name anywhere in a JSON Schema. */
function propertyNames(schema: unknown, names = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) for (const item of schema) propertyNames(item, names);
  else if (schema && typeof schema === 'object') {
    for (const [key, value] of Object.entries(schema)) {
      if (key === 'properties' && value && typeof value === 'object') for (const name of Object.keys(value)) names.add(name);
      propertyNames(value, names);
    }
  }
  return names;
}
