import { badInput, ExitCode } from '../errors.js';
import { collectImages, type ImageVerdict } from '../gc/images.js';
import { sweep } from '../gc/sweep.js';

export interface GcArgs {
  all: boolean;
  images: boolean;
  paths: string[];
  dryRun: boolean;
  repository: string[];
}

/**
 * Removes what sigstorm runs that are no longer alive left behind: containers (by label), host processes (by the
 * token in their environment), data directories and iptables rules (from the runs' journals). With `--images`,
 * removes sigstorm's image builds that no scenario resolves to instead.
 */
export async function gcCommand(args: GcArgs): Promise<number> {
  if (args.images) return imagesCommand(args);
  if (args.paths.length > 0) throw badInput(`gc: scenario paths (${args.paths.join(' ')}) are only taken with --images`);
  if (args.dryRun || args.repository.length > 0) throw badInput(`gc: ${args.dryRun ? '--dry-run' : '--repository'} is only taken with --images`);
  const { removed, failed, engine } = await sweep({ includeLive: args.all, docker: true });
  if (!engine) process.stderr.write('sigstorm: no Docker engine answers: containers were not looked for (processes, directories and rules were)\n');
  for (const r of removed) process.stdout.write(`removed ${r.what} (${r.owner})\n`);
  for (const f of failed) process.stderr.write(`sigstorm: could not remove ${f.leftover.what} (${f.leftover.owner}): ${f.error}\n`);
  process.stdout.write(`${removed.length} leftover(s) removed${failed.length ? `, ${failed.length} could not be` : ''}\n`);
  return failed.length ? ExitCode.infrastructure : ExitCode.ok;
}

async function imagesCommand({ paths, dryRun, repository, all }: GcArgs): Promise<number> {
  if (all) throw badInput('gc: --all is for leftovers of runs; --images keeps or removes builds whoever made them');
  const { verdicts, failed } = await collectImages(paths, { dryRun, repositories: repository });
  const failedRefs = new Set(failed.map((f) => f.verdict.ref));
  const removed = verdicts.filter((v) => v.remove && !failedRefs.has(v.ref));
  const kept = verdicts.filter((v) => !v.remove);
  for (const v of removed) process.stdout.write(`${dryRun ? 'would remove' : 'removed'} ${describe(v)}\n`);
  for (const v of kept) process.stdout.write(`kept ${describe(v)}\n`);
  for (const f of failed) process.stderr.write(`sigstorm: could not remove ${f.verdict.ref}: ${f.error}\n`);
  const freed = removed.reduce((sum, v) => sum + v.size, 0);
  process.stdout.write(
    `${removed.length} image(s) ${dryRun ? 'to remove' : 'removed'} (${megabytes(freed)}), ${kept.length} kept${failed.length ? `, ${failed.length} could not be removed` : ''}\n`,
  );
  return failed.length ? ExitCode.infrastructure : ExitCode.ok;
}

const describe = (v: ImageVerdict) => `${v.ref} (${v.id.replace(/^sha256:/, '').slice(0, 12)}, ${megabytes(v.size)}${v.context ? `, built from ${v.context}` : ''}): ${v.why}`;
const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
