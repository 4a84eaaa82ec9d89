import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { badInput, SigstormError } from '../errors.js';
import { loadScenario } from '../scenario/load.js';
import { finish, type Sketch } from './common.js';
import { runCommand } from './command-run.js';
import { withCommand } from './command.js';
import { composeDraft, parseCompose } from './compose.js';
import type { Draft } from './draft.js';
import { dockerfileDraft, parseDockerfile } from './dockerfile.js';
import { kubernetesDraft, parseKubernetes } from './kubernetes.js';
import { renderDraft } from './render.js';
import { schemaRef } from './schema-ref.js';
import { detect, readSource, type SourceFiles } from './sources.js';
import { parseSystemd, systemdDraft } from './systemd.js';

// `sigstorm init`: a first scenario from what the user already has, their files only read. The readers are pure
// (text → facts → a draft); this module reads the files, starts a command when one is given, checks the result
// with the scenario loader, and writes it.

export interface InitOptions extends SourceFiles {
  /** The command that starts the service (`sigstorm init -- python3 app.py`): started once to find its port. */
  command?: string[];
  out?: string;
  force?: boolean;
  cwd?: string;
  /** How long the command may take to listen (default 15 s). */
  startTimeoutMs?: number;
}

export interface InitResult {
  out: string;
  text: string;
  source: string;
  /** What was chosen when no file was named. */
  chose?: string;
  unknowns: string[];
  warnings: string[];
  /** The backends the written scenario can run on. */
  backends: string[];
}

export async function initScenario(options: InitOptions): Promise<InitResult> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const out = resolve(cwd, options.out ?? 'sigstorm.yml');
  if (existsSync(out) && !options.force) throw badInput(`${options.out ?? 'sigstorm.yml'} exists: not overwritten (--force overwrites it, --out writes elsewhere)`);
  const named = (['compose', 'dockerfile', 'k8s', 'systemd'] as const).filter((k) => options[k] !== undefined);
  if (named.length > 1) throw badInput(`one file at a time: ${named.map((k) => `--${k}`).join(' and ')} were both given`);
  if (options.service !== undefined && !options.compose) throw badInput('--service names a service of --compose, which was not given');
  if (options.container !== undefined && !options.k8s) throw badInput('--container names a container of --k8s, which was not given');
  const detected = named.length === 0 && !options.command?.length ? detect(cwd) : undefined;
  const sources: SourceFiles = detected?.sources ?? options;
  const paths = new Paths(cwd, dirname(out));
  let sketch = sketchOf(sources, paths);
  if (options.command?.length) {
    const path = sketch?.ready.http?.path;
    const run = await runCommand(options.command, { cwd, ...(path ? { path } : {}), ...(options.startTimeoutMs ? { timeoutMs: options.startTimeoutMs } : {}) });
    if (run.spawnError) throw badInput(`cannot start ${options.command[0]} (in ${cwd}): ${run.spawnError}`);
    sketch = withCommand(sketch, run, paths.fromOut(cwd) === '.' ? undefined : paths.fromOut(cwd));
  }
  const draft = finish(sketch!);
  const text = renderDraft(withName(draft, safeName(sketch?.name ?? basename(cwd))), schemaRef(dirname(out)));
  const scenario = await validated(text, out);
  const backends = [scenario.target.container && 'docker', scenario.target.process && 'process'].filter((b): b is string => Boolean(b));
  return { out, text, source: draft.source, ...(detected ? { chose: detected.said } : {}), unknowns: draft.unknowns, warnings: draft.warnings, backends };
}

/** A path for a comment: relative to where init ran, unless that climbs out of it. */
const displayed = (cwd: string, path: string): string => (relative(cwd, path).startsWith('..') ? path : relative(cwd, path));

/** Paths as the scenario writes them: relative to its own directory. */
class Paths {
  constructor(
    readonly cwd: string,
    readonly outDir: string,
  ) {}

  fromOut(path: string): string {
    const rel = relative(this.outDir, resolve(this.cwd, path)).split(sep).join('/');
    return rel === '' ? '.' : rel;
  }

  /** A file outside the project (a unit in /lib/systemd/system) stays absolute. */
  fileFromOut(path: string): string {
    const rel = this.fromOut(path);
    return isAbsolute(path) && rel.startsWith('../../../') ? path : rel;
  }
}

function sketchOf(sources: SourceFiles, paths: Paths): Sketch | undefined {
  const { cwd } = paths;
  if (sources.compose) {
    const facts = parseCompose(readSource(resolve(cwd, sources.compose), 'compose file'), sources.compose, sources.service);
    const build = facts.build && resolve(cwd, dirname(sources.compose), facts.build.context, facts.build.dockerfile);
    const dockerfile = build && existsSync(build) ? { facts: parseDockerfile(readSource(build, 'Dockerfile')), file: displayed(cwd, build) } : undefined;
    return { ...composeDraft(facts, paths.fileFromOut(sources.compose), dockerfile), name: facts.service };
  }
  if (sources.dockerfile) {
    const facts = parseDockerfile(readSource(resolve(cwd, sources.dockerfile), 'Dockerfile'));
    const context = paths.fromOut(dirname(sources.dockerfile));
    return { ...dockerfileDraft(facts, sources.dockerfile, { context, dockerfile: basename(sources.dockerfile) }), name: basename(resolve(cwd, dirname(sources.dockerfile))) };
  }
  if (sources.k8s) {
    const facts = parseKubernetes(readSource(resolve(cwd, sources.k8s), 'Kubernetes manifest'), sources.k8s, sources.container);
    return { ...kubernetesDraft(facts, paths.fileFromOut(sources.k8s)), name: facts.name || facts.container };
  }
  if (sources.systemd) {
    const facts = parseSystemd(readSource(resolve(cwd, sources.systemd), 'systemd unit'), sources.systemd);
    return { ...systemdDraft(facts, paths.fileFromOut(sources.systemd)), name: basename(sources.systemd, '.service') };
  }
  return undefined;
}

function safeName(raw: string): string {
  return raw.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'service';
}

const withName = (draft: Draft, name: string): Draft => ({
  ...draft,
  entries: [{ path: ['name'], value: name, why: 'Names the reports (reports/<name>/…).' }, ...draft.entries],
});

/** Loads the text as the scenario it will be, beside the output (its relative paths hold there), then puts it in place. */
async function validated(text: string, out: string) {
  const trial = resolve(dirname(out), `.${basename(out)}.init-${process.pid}.yml`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(trial, text);
  try {
    const scenario = await loadScenario(trial);
    renameSync(trial, out);
    return scenario;
  } catch (error) {
    if (!(error instanceof SigstormError)) throw error;
    throw badInput(`the scenario written for ${out} does not validate, so it was not written:\n${error.message.split(trial).join(out)}\n--- the scenario ---\n${text}`);
  } finally {
    rmSync(trial, { force: true });
  }
}
