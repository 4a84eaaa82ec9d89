import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { infrastructure } from '../../errors.js';
import type { ContainerForm } from '../../scenario/types.js';
import { dockerClient } from './engine.js';

const images = new Map<string, Promise<string>>();

/** The image of a container form, built or checked once per sigstorm process (a failure is tried again). */
export function imageFor(form: ContainerForm): Promise<string> {
  const key = JSON.stringify([form.image, form.build]);
  let image = images.get(key);
  if (!image) {
    image = ensureImage(form);
    images.set(key, image);
    image.catch(() => images.delete(key));
  }
  return image;
}

/** Never pull: no registry is assumed reachable, and a silently pulled image is not the one under test. */
export const neverPull = { shouldPull: () => false };

/** Whether a container form can run without a pull: it builds its image, or the engine already has it. */
export async function imageAtHand(form: ContainerForm): Promise<boolean> {
  if (form.build) return true;
  const client = await dockerClient();
  const { ImageName } = await import('testcontainers');
  return client.image.exists(ImageName.fromString(form.image!));
}

/**
 * The image to run for a container form. A `build` context is built locally and tagged by a hash of its
 * files, so an unchanged context is never rebuilt and a changed one always is.
 */
export async function ensureImage(form: ContainerForm): Promise<string> {
  const client = await dockerClient();
  const { ImageName } = await import('testcontainers');
  if (!form.build) {
    const image = form.image!;
    if (!(await client.image.exists(ImageName.fromString(image)))) {
      throw infrastructure(
        `image ${image} is not present locally, and sigstorm never pulls.`,
        'Build it first (`docker build -t ...`) or give the scenario a `build:` context.',
      );
    }
    return image;
  }
  const { tag, files } = await contextTag(form.build, form.image);
  if (await client.image.exists(ImageName.fromString(tag))) return tag;
  // Dockerode directly: testcontainers' build error says only "Failed to build image", not which step failed why.
  const docker = client.container.dockerode;
  let failure: string | undefined;
  try {
    const stream = await docker.buildImage(
      { context: form.build.context, src: files },
      { t: tag, dockerfile: form.build.dockerfile ?? 'Dockerfile', pull: false, labels: { [BUILD_LABEL]: form.build.context } },
    );
    const output = await new Promise<{ error?: string; stream?: string }[]>((resolve, reject) =>
      docker.modem.followProgress(stream, (error: Error | null, out: { error?: string }[]) => (error ? reject(error) : resolve(out))),
    );
    const steps = output.flatMap((o) => (o.stream ?? '').split('\n')).filter((l) => /^Step \d+/.test(l));
    const error = output.find((o) => o.error)?.error;
    if (error) failure = `${steps.at(-1) ? `${steps.at(-1)}: ` : ''}${error.trim()}`;
  } catch (error) {
    failure = (error as Error).message;
  }
  if (failure) throw infrastructure(`building image ${tag} from ${form.build.context} failed at ${failure}`);
  return tag;
}

/**
 * Every image sigstorm builds carries this label, its build context as value (`sigstorm gc --images` finds them by
 * it). Not `sigstorm=true`: a container inherits its image's labels, and that one marks sigstorm's own containers.
 */
export const BUILD_LABEL = 'sigstorm.build-context';

/** The tag sigstorm gives its builds, `<repository>:ctx-<12 hex digits of the context hash>`: no one else's tags look so. */
export const CONTEXT_TAG = /:ctx-[0-9a-f]{12}$/;

/**
 * The tag of a build context as its files are now: `<repository>:ctx-<hash>`, the repository being the form's
 * `image` without its tag, or `sigstorm/<context directory name>`.
 */
export async function contextTag(build: { context: string }, image?: string): Promise<{ tag: string; files: string[] }> {
  const { hash, files } = await readContext(build.context);
  const repository = (image?.replace(/:[^/:]+$/, '') ?? `sigstorm/${basename(build.context)}`).toLowerCase();
  return { tag: `${repository}:ctx-${hash.slice(0, 12)}`, files };
}

/** A hash of the build context's files (names and contents), and their paths for the build. */
async function readContext(dir: string): Promise<{ hash: string; files: string[] }> {
  const hash = createHash('sha256');
  const files: string[] = [];
  const walk = async (at: string): Promise<void> => {
    const entries = (await readdir(at, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) {
        files.push(relative(dir, path));
        hash.update(relative(dir, path)).update('\0').update(await readFile(path)).update('\0');
      }
    }
  };
  try {
    await walk(dir);
  } catch (error) {
    throw infrastructure(`cannot read build context ${dir}: ${(error as Error).message}`);
  }
  return { hash: hash.digest('hex'), files };
}
