import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

// The README and docs/ link to each other by relative paths: each must name a file or directory of the repository.

const pages = ['README.md', ...readdirSync('docs', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];

/** Relative link targets of a page, outside code blocks, without their #anchors. */
function links(page: string): string[] {
  const text = readFileSync(page, 'utf8').replace(/```[\s\S]*?```/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!.split('#')[0]!)
    .filter((target) => target !== '' && !/^[a-z]+:/.test(target));
}

describe('links between the README and docs/', () => {
  it.each(pages)('%s links only to files that exist', (page) => {
    const missing = links(page)
      .map((target) => normalize(join(dirname(page), target)))
      .filter((path) => !existsSync(path));
    expect(missing).toEqual([]);
  });
});
