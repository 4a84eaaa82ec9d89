import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BUILD_LABEL, CONTEXT_TAG, contextTag } from '../backends/docker/image.js';
import { dockerClient } from '../backends/docker/engine.js';
import { badInput, infrastructure } from '../errors.js';
import { loadScenario } from '../scenario/load.js';
import type { ContainerForm } from '../scenario/types.js';

/** An image as the engine lists it. */
export interface EngineImage {
  id: string;
  tags: string[];
  labels: Record<string, string>;
  size: number;
}

/** What `gc --images` does with one sigstorm build (a tag, or the id of an untagged one), and why. */
export interface ImageVerdict {
  ref: string;
  id: string;
  size: number;
  context: string | undefined;
  remove: boolean;
  why: string;
}

/**
 * Decides, tag by tag, which of sigstorm's builds go: a tag no scenario resolves to, on an image no container uses.
 * sigstorm's builds are the images with its build label, and for builds older than the label, the tags of the form it
 * gives (`…:ctx-<hash>`); only such tags are removed, never a tag someone gave a build by hand. Pure.
 */
export function judgeImages(
  images: EngineImage[],
  wanted: ReadonlyMap<string, string[]>,
  inUse: ReadonlyMap<string, string[]>,
  repositories: readonly string[] = [],
): ImageVerdict[] {
  const verdicts: ImageVerdict[] = [];
  for (const image of images) {
    const context = image.labels[BUILD_LABEL];
    const ours = image.tags.filter((t) => CONTEXT_TAG.test(t));
    // An untagged build of ours (its tag moved to a later build) goes by its id.
    const refs = ours.length > 0 ? ours : context !== undefined && image.tags.length === 0 ? [image.id] : [];
    for (const ref of refs) {
      if (repositories.length > 0 && !repositories.includes(ref.replace(CONTEXT_TAG, ''))) continue;
      const base = { ref, id: image.id, size: image.size, context };
      const scenarios = wanted.get(ref);
      const containers = inUse.get(image.id);
      if (scenarios) verdicts.push({ ...base, remove: false, why: `${listed(scenarios, 'scenario')} resolve${scenarios.length === 1 ? 's' : ''} to it` });
      else if (containers) verdicts.push({ ...base, remove: false, why: `in use by ${listed(containers, 'container')}` });
      else verdicts.push({ ...base, remove: true, why: 'no scenario resolves to it' });
    }
  }
  return verdicts;
}

const listed = (names: string[], what: string): string =>
  `${what}${names.length === 1 ? '' : 's'} ${names.slice(0, 3).join(', ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''}`;

/**
 * The scenario files a `gc --images` keeps images for: files as named, directories searched through (their
 * subdirectories too) for *.yml and *.yaml. With no paths, `scenarios/` of the current directory.
 */
export async function scenarioFiles(paths: string[]): Promise<string[]> {
  if (paths.length === 0) {
    if (!(await stat('scenarios').then((s) => s.isDirectory(), () => false))) {
      throw badInput('gc --images: no scenarios/ directory here: name the scenario files or directories whose images must be kept');
    }
    paths = ['scenarios'];
  }
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info) throw badInput(`gc --images: ${path}: no such file or directory`);
    if (!info.isDirectory()) {
      files.push(path);
      continue;
    }
    const found = await yamlFilesUnder(path);
    // An empty directory must not pass as "no scenario needs any image".
    if (found.length === 0) throw badInput(`gc --images: ${path}: no scenario files (*.yml, *.yaml) under it: nothing says which images to keep`);
    files.push(...found);
  }
  return files;
}

async function yamlFilesUnder(dir: string): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  const out: string[] = [];
  for (const e of entries) {
    if (e.isDirectory()) out.push(...(await yamlFilesUnder(join(dir, e.name))));
    else if (/\.ya?ml$/.test(e.name)) out.push(join(dir, e.name));
  }
  return out;
}

/**
 * The images the scenarios resolve to now (build contexts as they are on disk; `prepare` is not run), each with
 * the scenarios that need it. A file that is not a valid scenario stops everything: what it needs is unknown.
 */
export async function wantedImages(files: string[]): Promise<Map<string, string[]>> {
  const wanted = new Map<string, string[]>();
  for (const file of files) {
    const scenario = await loadScenario(file);
    const forms = [scenario.target, ...scenario.dependencies].flatMap((t) => (t.container ? [t.container] : []));
    for (const form of forms) {
      const image = await resolvedImage(form);
      if (image) wanted.set(image, [...(wanted.get(image) ?? []), scenario.name]);
    }
  }
  return wanted;
}

const resolvedImage = async (form: ContainerForm): Promise<string | undefined> =>
  form.build ? (await contextTag(form.build, form.image)).tag : form.image;

export interface ImageCollection {
  verdicts: ImageVerdict[];
  failed: { verdict: ImageVerdict; error: string }[];
}

/** Removes (unless `dryRun`) the builds of sigstorm's that no scenario in `paths` resolves to and no container uses. */
export async function collectImages(paths: string[], { dryRun = false, repositories = [] }: { dryRun?: boolean; repositories?: string[] } = {}): Promise<ImageCollection> {
  const wanted = await wantedImages(await scenarioFiles(paths));
  const docker = await dockerClient(3000).then(
    (c) => c.container.dockerode,
    (error: Error) => {
      throw infrastructure(`gc --images: no Docker engine answers (${error.message})`);
    },
  );
  const listedImages = await docker.listImages({ all: false });
  const images: EngineImage[] = listedImages.map((i) => ({
    id: i.Id,
    tags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
    labels: i.Labels ?? {},
    size: i.Size,
  }));
  const inUse = new Map<string, string[]>();
  for (const c of await docker.listContainers({ all: true })) {
    inUse.set(c.ImageID, [...(inUse.get(c.ImageID) ?? []), c.Names[0]?.replace(/^\//, '') ?? c.Id.slice(0, 12)]);
  }
  const verdicts = judgeImages(images, wanted, inUse, repositories);
  const failed: ImageCollection['failed'] = [];
  if (!dryRun) {
    for (const verdict of verdicts.filter((v) => v.remove)) {
      try {
        // No force: the engine refuses an image a container started meanwhile uses.
        await docker.getImage(verdict.ref).remove();
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode !== 404) failed.push({ verdict, error: (error as Error).message });
      }
    }
  }
  return { verdicts, failed };
}
