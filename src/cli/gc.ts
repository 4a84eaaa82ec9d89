import { ExitCode } from '../errors.js';
import { sweep } from '../gc/sweep.js';

/**
 * Removes what sigstorm runs that are no longer alive left behind: containers (by label), host processes (by the
 * token in their environment), data directories and iptables rules (from the runs' journals).
 */
export async function gcCommand(all: boolean): Promise<number> {
  const { removed, failed, engine } = await sweep({ includeLive: all, docker: true });
  if (!engine) process.stderr.write('sigstorm: no Docker engine answers: containers were not looked for (processes, directories and rules were)\n');
  for (const r of removed) process.stdout.write(`removed ${r.what} (${r.owner})\n`);
  for (const f of failed) process.stderr.write(`sigstorm: could not remove ${f.leftover.what} (${f.leftover.owner}): ${f.error}\n`);
  process.stdout.write(`${removed.length} leftover(s) removed${failed.length ? `, ${failed.length} could not be` : ''}\n`);
  return failed.length ? ExitCode.infrastructure : ExitCode.ok;
}
