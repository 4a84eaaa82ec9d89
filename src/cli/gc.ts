import { dockerClient } from '../backends/engine.js';
import { isAlive } from '../backends/procfs.js';
import { ExitCode } from '../errors.js';

/** Removes containers labelled by sigstorm whose run (the sigstorm process on this host) is gone. */
export async function gcCommand(all: boolean): Promise<number> {
  const client = await dockerClient();
  const docker = client.container.dockerode;
  const containers = await docker.listContainers({ all: true, filters: { label: ['sigstorm=true'] } });
  let removed = 0;
  for (const info of containers) {
    const owner = Number(info.Labels['sigstorm.pid']);
    if (!all && owner && isAlive(owner)) continue;
    await docker.getContainer(info.Id).remove({ force: true, v: true });
    removed++;
    process.stdout.write(`removed container ${info.Id.slice(0, 12)} (run ${info.Labels['sigstorm.run'] ?? '?'}, ${info.Labels['sigstorm.scenario'] ?? '?'})\n`);
  }
  process.stdout.write(`${removed} container(s) removed, ${containers.length - removed} kept (their run is alive)\n`);
  return ExitCode.ok;
}
