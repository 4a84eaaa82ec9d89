import { createRequire } from 'node:module';
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
});
