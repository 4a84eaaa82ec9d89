import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// The `$schema` line of a written scenario, so editors find the format where the user's project has it: the
// schema of the sigstorm installed in its node_modules, relative to the scenario file.

const SCHEMA = join('schema', 'scenario.schema.json');
/** The form an installed package gives, written when no installed copy is found (npx from its cache). */
export const INSTALLED_SCHEMA = './node_modules/sigstorm/schema/scenario.schema.json';

/** The package this code runs from (dist/init/ → the package root). */
const packageRoot = (): string => resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function schemaRef(outDir: string): string {
  for (let dir = resolve(outDir); ; dir = dirname(dir)) {
    const installed = join(dir, 'node_modules', 'sigstorm', SCHEMA);
    if (existsSync(installed)) return posix(relative(outDir, installed));
    if (dirname(dir) === dir) break;
  }
  const own = join(packageRoot(), SCHEMA);
  // npx runs a package from its own cache: a path there would not last.
  if (!existsSync(own) || own.includes(`${sep}_npx${sep}`)) return INSTALLED_SCHEMA;
  return posix(relative(outDir, own));
}

const posix = (path: string): string => {
  const p = path.split(sep).join('/');
  return p.startsWith('.') ? p : `./${p}`;
};
