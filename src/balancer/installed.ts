import { infrastructure } from '../errors.js';
import { onPath } from '../host/on-path.js';

/**
 * A real balancer is a program of the machine's: said before anything of the trial starts when it is not there, with
 * how to get it (the Debian package) and the balancer that needs nothing.
 */
export function requireBalancer(kind: 'haproxy' | 'nginx', debianPackage: string): void {
  if (onPath(kind)) return;
  throw infrastructure(
    `\`rollout.balancer: ${kind}\` runs ${kind} on this machine, and there is no \`${kind}\` on PATH`,
    `Install it (Debian: \`sudo apt-get install -y ${debianPackage}\`), or leave \`balancer\` out for sigstorm's own.`,
  );
}
