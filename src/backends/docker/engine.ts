import { request } from 'node:http';
import { infrastructure, SigstormError } from '../../errors.js';

// No reaper container: nothing may be pulled here, and sigstorm removes its own containers (labels + `sigstorm gc`).
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';

export type DockerClient = Awaited<ReturnType<typeof import('testcontainers')['getContainerRuntimeClient']>>;
/** A container as Dockerode handles it: what signals, pauses, waits on and removes a target. */
export type DockerContainer = ReturnType<DockerClient['container']['getById']>;

let client: Promise<DockerClient> | undefined;

export const ENGINE_HINT =
  'Start one with `sudo dockerd &` (Debian: `sudo apt-get install -y docker.io` first), or `sudo systemctl start docker`; ' +
  'set DOCKER_HOST if it listens elsewhere. Or use --backend process.';

/** The Docker engine client, or an infrastructure error telling the user how to start an engine. */
export function dockerClient(timeoutMs = 8000): Promise<DockerClient> {
  client ??= (async () => {
    const where = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
    // Ping the address the user named first: testcontainers would silently fall back to another socket.
    const ping = await pingEngine(where, Math.min(timeoutMs, 3000));
    if (ping !== true) {
      client = undefined;
      throw infrastructure(`No Docker engine answers at ${where} (${ping}).`, ENGINE_HINT);
    }
    const { getContainerRuntimeClient } = await import('testcontainers');
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        getContainerRuntimeClient(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (error) {
      client = undefined;
      throw infrastructure(`No Docker engine answers at ${where} (${firstLine(error)}).`, ENGINE_HINT);
    } finally {
      clearTimeout(timer);
    }
  })();
  return client;
}

let reaper: Promise<unknown> | undefined;

/**
 * Before the first container of this process starts: testcontainers resolves its reaper (disabled: ours is the
 * journal) under a cross-process file lock, retried every 0.5–3 s, and trials started at once each queued on it
 * (measured: +0.5 s per campaign). Resolved once here, and only where a container starts, so that an engine check
 * or an image build never waits on another process's lock.
 */
export function reaperResolved(c: DockerClient): Promise<unknown> {
  reaper ??= import('testcontainers')
    .then(({ getReaper }) => getReaper(c))
    .catch((error: unknown) => {
      reaper = undefined; // asked again by the next start
      throw error;
    });
  return reaper;
}

/** True when an engine answers; never throws. */
export const engineAnswers = (timeoutMs = 3000): Promise<boolean> =>
  dockerClient(timeoutMs).then(
    () => true,
    () => false,
  );

/** GET /_ping on a unix:// or tcp:// Docker address: true, or why not. */
function pingEngine(address: string, timeoutMs: number): Promise<true | string> {
  const target = address.startsWith('unix://')
    ? { socketPath: address.slice('unix://'.length) }
    : address.startsWith('tcp://')
      ? { host: new URL(address).hostname, port: Number(new URL(address).port || 2375) }
      : undefined;
  if (!target) return Promise.resolve(true); // ssh:// and others: leave discovery to testcontainers
  return new Promise((resolve) => {
    const req = request({ ...target, path: '/_ping', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? true : `HTTP ${res.statusCode}`);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    req.end();
  });
}

const firstLine = (error: unknown) => String((error as Error)?.message ?? error).split('\n')[0];

/**
 * When a Docker call failed because the engine went away mid-run, the error a user should see; undefined when the
 * engine still answers (the failure is something else).
 */
export async function engineLost(error: unknown): Promise<SigstormError | undefined> {
  if (error instanceof SigstormError && error.kind === 'bad-input') return undefined;
  const where = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  const ping = await pingEngine(where, 2000);
  if (ping === true) return undefined;
  client = undefined;
  return infrastructure(
    `the Docker engine at ${where} stopped answering during the run (${ping}; ${firstLine(error)})`,
    'Containers it could not remove are listed in the journal: `sigstorm gc` removes them once the engine is back.',
  );
}
