import { existsSync, unlinkSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dockerClient } from '../backends/docker/engine.js';
import { isSameProcess } from '../host/procfs.js';
import { leftoverRules, removeRules } from '../backends/docker/iptables.js';
import { sleep } from '../time.js';
import { readJournals, type JournalFile } from '../leftovers/journal.js';
import { killOwned, ownedProcesses } from '../leftovers/owned.js';
import { killSession } from '../backends/process/session.js';

/** Something a sigstorm run created and did not remove, found on this host and ready to be removed. */
export interface Leftover {
  /** The run that made it: the sigstorm process (pid) and what it was doing. */
  owner: string;
  what: string;
  remove(): Promise<void>;
}

export interface SweepOptions {
  /** Also what runs still alive hold (`gc --all`). */
  includeLive?: boolean;
  /** Ask the Docker engine about containers (skipped, not failed, when none answers). */
  docker?: boolean;
}

/**
 * Finds what dead sigstorm runs left: from their journals (processes by token, data directories, iptables rules,
 * containers by run label) and from container labels alone (a run whose journal could not be written).
 */
export async function findLeftovers(options: SweepOptions = {}): Promise<{ leftovers: Leftover[]; journals: JournalFile[]; engine: boolean }> {
  const journals = readJournals().filter((j) => options.includeLive || !j.alive);
  const docker = options.docker ? await dockerClient(3000).then((c) => c.container.dockerode, () => undefined) : undefined;
  const leftovers: Leftover[] = [];
  const seenContainers = new Set<string>();
  const seenNetworks = new Set<string>();
  // Removed after every container: a network is only removable once nothing is attached to it.
  const networks: Leftover[] = [];

  for (const j of journals) {
    const owner = `pid ${j.pid}${j.alive ? ', alive' : ''}${j.phase ? `, last ${j.phase}` : ''}: sigstorm ${j.argv.join(' ')}`;
    for (const { resource, pid, startTime } of j.outstanding) {
      if (resource.kind === 'process') {
        const found = ownedProcesses(resource.token);
        for (const p of found) {
          leftovers.push({ owner, what: `process ${p.pid} (${p.comm}) of trial ${resource.token}`, remove: async () => void killOwned(resource.token) });
        }
        // A program that writes its title over its environment (Redis does) hides the token: its session still names it.
        if (pid && startTime && isSameProcess(pid, startTime) && !found.some((p) => p.pid === pid)) {
          leftovers.push({ owner, what: `process session ${pid} of trial ${resource.token}`, remove: async () => killSession(pid, startTime, resource.token) });
        }
      } else if (resource.kind === 'data-dir') {
        if (existsSync(resource.path)) leftovers.push({ owner, what: `directory ${resource.path}`, remove: () => rm(resource.path, { recursive: true, force: true }) });
      } else if (resource.kind === 'iptables') {
        if (!isSameProcess(resource.pid, resource.startTime)) continue; // the namespace went with its process
        const rules = await leftoverRules(resource.pid);
        if (rules.length > 0) {
          leftovers.push({
            owner,
            what: `${rules.length} iptables rule(s) in the network namespace of pid ${resource.pid}`,
            remove: async () => void (await removeRules(resource.pid, resource.rules)),
          });
        }
      } else if (resource.kind === 'network' && docker) {
        for (const n of await docker.listNetworks({ filters: { label: [`sigstorm.run=${resource.run}`] } })) {
          seenNetworks.add(n.Id);
          networks.push({ owner, what: `network ${n.Name} (trial ${resource.run})`, remove: () => removeNetwork(docker, n.Id) });
        }
      } else if (resource.kind === 'container' && !options.docker) {
        // Not asked: a dead run's unreleased container is almost always still there.
        leftovers.push({ owner, what: `container of trial ${resource.run}`, remove: async () => undefined });
      } else if (resource.kind === 'container' && docker) {
        const found = await docker.listContainers({ all: true, filters: { label: [`sigstorm.run=${resource.run}`] } });
        for (const c of found) {
          seenContainers.add(c.Id);
          leftovers.push({ owner, what: `container ${c.Id.slice(0, 12)} (trial ${resource.run})`, remove: () => removeContainer(docker, c.Id) });
        }
      }
      // A proxy lives inside sigstorm's own process: it cannot outlive it.
    }
  }

  if (docker) {
    const labelled = await docker.listContainers({ all: true, filters: { label: ['sigstorm=true'] } });
    for (const c of labelled) {
      if (seenContainers.has(c.Id)) continue;
      const { owner, alive } = labelOwner(c.Labels);
      if (alive && !options.includeLive) continue;
      leftovers.push({
        owner,
        what: `container ${c.Id.slice(0, 12)} (${c.Labels['sigstorm.scenario'] ?? '?'})`,
        remove: () => removeContainer(docker, c.Id),
      });
    }
    for (const n of await docker.listNetworks({ filters: { label: ['sigstorm=true'] } })) {
      if (seenNetworks.has(n.Id)) continue;
      const { owner, alive } = labelOwner(n.Labels ?? {});
      if (alive && !options.includeLive) continue;
      networks.push({ owner, what: `network ${n.Name}`, remove: () => removeNetwork(docker, n.Id) });
    }
  }
  leftovers.push(...networks);
  return { leftovers, journals, engine: docker !== undefined };
}

/** Removes the leftovers, then the journals of dead runs that no longer name anything. */
export async function sweep(options: SweepOptions = {}): Promise<{ removed: Leftover[]; failed: { leftover: Leftover; error: string }[]; engine: boolean }> {
  const { leftovers, journals, engine } = await findLeftovers(options);
  const removed: Leftover[] = [];
  const failed: { leftover: Leftover; error: string }[] = [];
  for (const leftover of leftovers) {
    try {
      await leftover.remove();
      removed.push(leftover);
    } catch (error) {
      failed.push({ leftover, error: (error as Error).message });
    }
  }
  // A journal naming containers is kept while no engine could be asked about them.
  for (const j of journals) {
    if (j.alive || failed.length > 0) continue;
    if (!engine && j.outstanding.some((o) => o.resource.kind === 'container' || o.resource.kind === 'network')) continue;
    try {
      unlinkSync(j.path);
    } catch {
      // removed meanwhile
    }
  }
  return { removed, failed, engine };
}

/** The sigstorm process a container's or network's labels name, and whether it is still that process. */
function labelOwner(labels: Record<string, string>): { owner: string; alive: boolean } {
  const pid = Number(labels['sigstorm.pid']);
  const start = labels['sigstorm.pid-start'];
  const alive = pid > 0 && (start ? isSameProcess(pid, Number(start)) : existsSync(`/proc/${pid}`));
  return { owner: `pid ${pid || '?'}${alive ? ', alive' : ''} (run ${labels['sigstorm.run'] ?? '?'})`, alive };
}

type Dockerode = Awaited<ReturnType<typeof dockerClient>>['container']['dockerode'];

async function removeContainer(docker: Dockerode, id: string): Promise<void> {
  try {
    await docker.getContainer(id).remove({ force: true, v: true });
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 404) return;
    // 409: a removal is already under way (the engine finishing one a lost connection asked for): see it through.
    if (status !== 409) throw error;
    for (let i = 0; i < 100; i++) {
      const gone = await docker.getContainer(id).inspect().then(() => false, (e: { statusCode?: number }) => e.statusCode === 404);
      if (gone) return;
      await sleep(100);
    }
    throw error;
  }
}

async function removeNetwork(docker: Dockerode, id: string): Promise<void> {
  try {
    await docker.getNetwork(id).remove();
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
}

/** One line for the start of a campaign when dead runs left something behind (from the journals: no engine call). */
export async function leftoverWarning(): Promise<string | undefined> {
  const { leftovers } = await findLeftovers({ docker: false });
  if (leftovers.length === 0) return undefined;
  const runs = new Set(leftovers.map((l) => l.owner)).size;
  const sample = leftovers.slice(0, 3).map((l) => l.what).join('; ');
  return `${leftovers.length} leftover(s) from ${runs} sigstorm run(s) that died (${sample}${leftovers.length > 3 ? '; …' : ''}). Run \`sigstorm gc\` to remove them.`;
}
