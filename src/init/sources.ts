import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { badInput } from '../errors.js';

// Which of the user's files a first scenario is written from: the ones named on the command line, or, with none,
// the first found in the current directory in this order: a compose file, a Dockerfile, a Kubernetes workload
// manifest, a systemd unit. Read only.

export interface SourceFiles {
  compose?: string;
  service?: string;
  dockerfile?: string;
  k8s?: string;
  container?: string;
  systemd?: string;
}

const COMPOSE = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
const MANIFEST_DIRS = ['.', 'k8s', 'kubernetes', 'deploy', 'manifests'];
const UNIT_DIRS = ['.', 'systemd', 'deploy'];
const WORKLOAD = /^kind:\s*(Deployment|StatefulSet|DaemonSet|ReplicaSet|Job|CronJob|Pod)\s*$/m;

/** The text of a file the user named, or a clear error naming it. */
export function readSource(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw badInput(`${path}: cannot read the ${what}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

const files = (dir: string, test: (name: string) => boolean): string[] => {
  try {
    return readdirSync(dir)
      .filter(test)
      .sort()
      .map((n) => join(dir, n))
      .filter((p) => statSync(p).isFile());
  } catch {
    return [];
  }
};

/** Every candidate in `cwd`, in the order they are preferred. */
export function candidates(cwd: string): { kind: keyof SourceFiles; path: string }[] {
  const out: { kind: keyof SourceFiles; path: string }[] = [];
  for (const name of COMPOSE) if (existsSync(join(cwd, name))) out.push({ kind: 'compose', path: name });
  if (existsSync(join(cwd, 'Dockerfile'))) out.push({ kind: 'dockerfile', path: 'Dockerfile' });
  for (const dir of MANIFEST_DIRS) {
    for (const path of files(join(cwd, dir), (n) => /\.ya?ml$/.test(n) && !COMPOSE.includes(n))) {
      if (WORKLOAD.test(readFileSync(path, 'utf8'))) out.push({ kind: 'k8s', path: relative(cwd, path) });
    }
  }
  for (const dir of UNIT_DIRS) for (const path of files(join(cwd, dir), (n) => n.endsWith('.service'))) out.push({ kind: 'systemd', path: relative(cwd, path) });
  return out;
}

const FLAG: Record<string, string> = { compose: '--compose', dockerfile: '--dockerfile', k8s: '--k8s', systemd: '--systemd' };

/** The first candidate in `cwd`, and a sentence saying what was chosen over what. */
export function detect(cwd: string): { sources: SourceFiles; said: string } {
  const found = candidates(resolve(cwd));
  const first = found[0];
  if (!first) {
    throw badInput(
      `found no compose file, Dockerfile, Kubernetes manifest or systemd unit in ${resolve(cwd)}: name one (--compose, --dockerfile, --k8s, --systemd) or give the command that starts the service after \`--\` (sigstorm init -- python3 app.py)`,
    );
  }
  const others = found.slice(1).map((c) => `${FLAG[c.kind]} ${c.path}`);
  const said = `chose ${first.path}${others.length ? ` (also found: ${others.join(', ')}; name one to use it instead)` : ''}`;
  return { sources: { [first.kind]: first.path }, said };
}
