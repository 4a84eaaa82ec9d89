import { mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A directory for PATH holding every program of this machine's usual bin directories but those `hidden` names. */
export function pathWithout(hidden: RegExp): string {
  const bin = mkdtempSync(join(tmpdir(), 'sigstorm-fresh-path-'));
  for (const dir of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (hidden.test(name)) continue;
      try {
        symlinkSync(join(dir, name), join(bin, name));
      } catch {
        // the same name earlier in PATH wins, as it would
      }
    }
  }
  return bin;
}
