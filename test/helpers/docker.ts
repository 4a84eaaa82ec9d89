import { execFileSync } from 'node:child_process';

/** Ids of containers (running or not) carrying a label, straight from the engine. */
export const containersWithLabel = (label: string): string[] =>
  execFileSync('docker', ['ps', '-aq', '--filter', `label=${label}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
