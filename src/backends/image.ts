import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { infrastructure } from '../errors.js';
import type { ContainerForm } from '../scenario/schema.js';
import { dockerClient } from './engine.js';

/** Never pull: no registry is assumed reachable, and a silently pulled image is not the one under test. */
export const neverPull = { shouldPull: () => false };

/**
 * The image to run for a container form. A `build` context is built locally and tagged by a hash of its
 * files, so an unchanged context is never rebuilt and a changed one always is.
 */
export async function ensureImage(form: ContainerForm): Promise<string> {
  const client = await dockerClient();
  const { GenericContainer, ImageName } = await import('testcontainers');
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
  const hash = await hashContext(form.build.context);
  const repository = (form.image?.replace(/:[^/:]+$/, '') ?? `sigstorm/${basename(form.build.context)}`).toLowerCase();
  const tag = `${repository}:ctx-${hash.slice(0, 12)}`;
  if (await client.image.exists(ImageName.fromString(tag))) return tag;
  try {
    await GenericContainer.fromDockerfile(form.build.context, form.build.dockerfile)
      .withPullPolicy(neverPull)
      .build(tag, { deleteOnExit: false });
  } catch (error) {
    throw infrastructure(`building image ${tag} from ${form.build.context} failed: ${(error as Error).message}`);
  }
  return tag;
}

async function hashContext(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (at: string): Promise<void> => {
    const entries = (await readdir(at, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) hash.update(relative(dir, path)).update('\0').update(await readFile(path)).update('\0');
    }
  };
  try {
    await walk(dir);
  } catch (error) {
    throw infrastructure(`cannot read build context ${dir}: ${(error as Error).message}`);
  }
  return hash.digest('hex');
}
