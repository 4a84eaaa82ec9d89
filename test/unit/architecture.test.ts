import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { cruise } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

// The layering rules of .dependency-cruiser.cjs, over the TypeScript sources (type-only imports included).
const config = createRequire(import.meta.url)('../../.dependency-cruiser.cjs');

describe('architecture', () => {
  it('src/ keeps its layers one way, with no import cycles', async () => {
    const { output } = await cruise(['src'], { ...config.options, validate: true, ruleSet: { forbidden: config.forbidden } });
    const result = output as { summary: { violations: { rule: { name: string }; from: string; to: string; cycle?: { name: string }[]; via?: { name: string }[] }[]; totalCruised: number } };
    const violations = result.summary.violations.map((v) => {
      const path = (v.cycle ?? v.via ?? []).map((step) => step.name);
      return `${v.rule.name}: ${v.from} → ${v.to}${path.length ? ` (via ${path.join(' → ')})` : ''}`;
    });
    expect(result.summary.totalCruised).toBeGreaterThan(50);
    expect(violations).toEqual([]);
  });

  it('every document the code cites is in the repository', () => {
    const files = (readdirSync('src', { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => join('src', f));
    const cited = files.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/(?<!:)(?<![\w./-])[\w./-]+\.md\b/g)].map((m) => ({ file: f, doc: m[0] })));
    expect(cited.length).toBeGreaterThan(0);
    expect(cited.filter((c) => !existsSync(c.doc))).toEqual([]);
  });

  it('docs/architecture.md names every rule the dependency check holds the code to', () => {
    const doc = readFileSync('docs/architecture.md', 'utf8');
    const names = (config.forbidden as { name: string }[]).map((r) => r.name);
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((n) => !doc.includes(`\`${n}\``))).toEqual([]);
  });
});
