import { execFileSync } from 'node:child_process';

/** Ids of containers (running or not) carrying a label, straight from the engine. */
export const containersWithLabel = (label: string): string[] =>
  execFileSync('docker', ['ps', '-aq', '--filter', `label=${label}`], { encoding: 'utf8' }).split('\n').filter(Boolean);

/** Ids of networks carrying a label, straight from the engine. */
export const networksWithLabel = (label: string): string[] =>
  execFileSync('docker', ['network', 'ls', '-q', '--filter', `label=${label}`], { encoding: 'utf8' }).split('\n').filter(Boolean);

/** Resolves `afterMs` after a container of sigstorm process `pid` first appears. */
export const containerOfProcess = (pid: number | undefined, afterMs: number): Promise<void> =>
  new Promise((resolve) => {
    const poll = setInterval(() => {
      if (containersWithLabel(`sigstorm.pid=${pid}`).length > 0) {
        clearInterval(poll);
        setTimeout(resolve, afterMs);
      }
    }, 50);
  });
