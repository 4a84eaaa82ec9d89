import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { initScenario, type InitOptions, type InitResult } from '../../src/init/init.js';
import { sigstorm } from '../helpers/cli.js';

// `sigstorm init` on the zoo's and the real-server corpus's own files and commands: every scenario it writes
// validates (checked by init itself with the scenario loader, and again by `sigstorm validate`), and a handful run.
// What it inferred for each, and what it could not, is printed at the end (npx vitest run test/e2e/init.test.ts).

const out = mkdtempSync(join(tmpdir(), 'sigstorm-init-'));
const reportDir = join(out, 'reports');
const inferred: string[] = [];

/** Runs init into out/<group>/<name>.yml and notes what it inferred. */
async function init(group: string, name: string, options: InitOptions): Promise<InitResult & { scenario: Record<string, any> }> {
  mkdirSync(join(out, group), { recursive: true });
  const result = await initScenario({ ...options, out: join(out, group, `${name}.yml`) });
  const scenario = parse(result.text) as Record<string, any>;
  const ready = scenario.target.ready ? JSON.stringify(scenario.target.ready) : 'none';
  inferred.push(`${group}/${name}: ready ${ready}; stop ${scenario.stop?.model ?? 'docker'}; backends ${result.backends.join('+')}; not inferred: ${result.unknowns.length}`);
  return { ...result, scenario };
}

/** The zoo's Go service is built by its scenarios' `prepare` step; the command form starts the binary itself. */
const buildGo = () => execa('sh', ['targets/go/build.sh'], { stdin: 'ignore' });

const validates = async (dir: string, count: number) => {
  const result = await sigstorm(['validate', join(out, dir)]);
  expect(result.exitCode, result.all).toBe(0);
  expect(result.stdout.split('\n').filter((l) => l.startsWith('ok  '))).toHaveLength(count);
};

afterAll(() => {
  writeFileSync(join(out, 'inferred.txt'), `${inferred.join('\n')}\n`);
  process.stdout.write(`sigstorm init inferred (${out}/inferred.txt):\n${inferred.join('\n')}\n`);
});

describe('sigstorm init', () => {
  it("every service of the zoo's docker-compose.yml gives a scenario that validates", async () => {
    const services = Object.keys((parse(readFileSync('docker-compose.yml', 'utf8')) as { services: object }).services);
    expect(services.length).toBeGreaterThan(50);
    for (const service of services) {
      const { scenario, unknowns } = await init('compose', service, { compose: 'docker-compose.yml', service });
      expect(scenario.target).toMatchObject({ compose: expect.stringMatching(/docker-compose\.yml$/), service });
      if (service === 'jobs-ack-before-do') expect(scenario.target.ready).toBeUndefined(); // a worker: no port
      // No HTTP: redis from its healthcheck (redis-cli ping), the TCP and gRPC servers from their ports.
      if (/^(redis|tcp-|exec-tcp-|grpc-)/.test(service)) expect(scenario.target.ready, service).toEqual({ tcp: true, timeout: '30s' });
      if (service === 'shell-form') expect((await init('compose-warn', service, { compose: 'docker-compose.yml', service })).warnings[0]).toMatch(/runs a shell script/);
      expect(unknowns.length).toBeGreaterThan(0); // at least: no process form
    }
    await validates('compose', services.length);
  });

  it("the zoo's Dockerfiles, Kubernetes manifests and systemd units, and Debian's nginx unit of the real corpus", async () => {
    const dockerfiles = readdirSync('targets').filter((t) => existsSync(join('targets', t, 'Dockerfile')));
    for (const t of dockerfiles) await init('files', `dockerfile-${t}`, { dockerfile: join('targets', t, 'Dockerfile') });
    const manifests = readdirSync('targets/k8s');
    for (const m of manifests) {
      const { scenario } = await init('files', `k8s-${m.replace(/\.yaml$/, '')}`, { k8s: join('targets/k8s', m) });
      expect(scenario.stop).toMatchObject({ model: 'kubernetes', container: expect.any(String) });
    }
    const units = readdirSync('targets/systemd').map((u) => join('targets/systemd', u));
    if (existsSync('/lib/systemd/system/nginx.service')) units.push('/lib/systemd/system/nginx.service');
    for (const u of units) await init('files', `systemd-${u.split('/').at(-1)!.replace('.service', '')}`, { systemd: u });
    expect(dockerfiles.length).toBeGreaterThanOrEqual(8);
    await validates('files', dockerfiles.length + manifests.length + units.length);
  });

  it('the command form: the port each process target and real server listens on, read from /proc, and a readiness path', async () => {
    await buildGo();
    const commands: [string, string[]][] = [
      ['go', ['targets/go/server']],
      ['node', ['node', 'targets/node/server.js']],
      ['python', ['python3', 'targets/python/server.py']],
      ['prefork', ['python3', 'targets/prefork/server.py']],
      ['grpc', ['node', 'targets/grpc/server.js']],
      ['nginx', ['sh', 'targets/nginx/run.sh']],
      ...['apache2', 'gunicorn', 'h2o', 'haproxy', 'lighttpd'].map((s): [string, string[]] => [`real-${s}`, ['sh', `targets/real/${s}/run.sh`]]),
    ];
    // Two at a time: each is started, asked and stopped on its own free port.
    for (let i = 0; i < commands.length; i += 2) {
      const batch = commands.slice(i, i + 2).map(([name, command]) => init('commands', name, { command }));
      for (const { scenario, text } of await Promise.all(batch)) {
        expect(text).toMatch(/it listened on port \d+ \(the \$PORT it was handed\)/);
        if (scenario.name === 'grpc' || text.includes('targets/grpc/')) expect(scenario.target.ready).toEqual({ tcp: true, timeout: '30s' });
        else expect(scenario.target.ready.http).toBe('/healthz');
        // A catalogued server behind run.sh: its documented graceful stop.
        if (text.includes('targets/nginx/')) expect(scenario.target.stop_signal).toBe('SIGQUIT');
      }
    }
    await validates('commands', commands.length);
  });

  it('artefacts written as popular projects write them, each given its process form by a command, validate and run', async () => {
    const fixtures = 'test/fixtures/init';
    const app = ['python3', `${fixtures}/app/app.py`];
    const written = [
      await init('popular', 'compose', { compose: `${fixtures}/compose/docker-compose.yml`, service: 'web', command: app }),
      await init('popular', 'dockerfile', { dockerfile: `${fixtures}/node/Dockerfile`, command: app }),
      await init('popular', 'k8s', { k8s: `${fixtures}/k8s/deployment.yaml`, command: app }),
      await init('popular', 'systemd', { systemd: `${fixtures}/systemd/api.service`, command: app }),
      await init('popular', 'command', { command: app }),
    ];
    // app.py answers /health only: found by asking. The compose file's healthcheck says /health too; the
    // Dockerfile's HEALTHCHECK (/healthz) and the Deployment's readinessProbe (/ready) are asked first, and said to fail.
    expect(written.map((w) => w.scenario.target.ready.http)).toEqual(['/health', '/health', '/health', '/health', '/health']);
    expect(written[1]!.warnings).toEqual([
      expect.stringMatching(/CMD at .*node\/Dockerfile:13 is in shell form/),
      expect.stringMatching(/^the readiness path \/healthz that .*node\/Dockerfile gives answered HTTP 404 when the command was started; \/health answered 2xx/),
    ]);
    expect(written[2]!.warnings[0]).toMatch(/^the readiness path \/ready that .*deployment.yaml, Deployment api, container api gives answered HTTP 404/);
    for (const name of ['command', 'k8s', 'systemd']) {
      const result = await sigstorm(['run', join(out, 'popular', `${name}.yml`), '--backend', 'process', '--report-dir', reportDir]);
      // Judged (0 pass or 1 fail), not bad input (2) nor a target that never got ready (3).
      expect([0, 1], `${name}: ${result.all}`).toContain(result.exitCode);
    }
    await validates('popular', written.length);
  });

  it('runs what it wrote for a zoo service (docker, from the compose file) and a real server (process)', async () => {
    const cli = await sigstorm(['init', '--out', join(out, 'run', 'gunicorn.yml'), '--', 'sh', 'targets/real/gunicorn/run.sh']);
    expect(cli.exitCode, cli.all).toBe(0);
    expect(cli.stdout).toMatch(/^wrote .*gunicorn\.yml from the command sh targets\/real\/gunicorn\/run\.sh \(validated; backends: process\)$/m);
    expect(cli.stdout).toContain('npx sigstorm fuzz');
    const again = await sigstorm(['init', '--out', join(out, 'run', 'gunicorn.yml'), '--', 'sh', 'targets/real/gunicorn/run.sh']);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toMatch(/gunicorn\.yml exists: not overwritten \(--force overwrites it/);
    const real = await sigstorm(['run', join(out, 'run', 'gunicorn.yml'), '--backend', 'process', '--report-dir', reportDir]);
    expect(real.exitCode, real.all).toBe(0); // gunicorn's TERM is graceful, and its readiness path only is asked

    await buildGo();
    await initScenario({ compose: 'docker-compose.yml', service: 'return-on-close-fixed', out: join(out, 'run', 'go.yml') });
    const docker = await sigstorm(['run', join(out, 'run', 'go.yml'), '--backend', 'docker', '--report-dir', reportDir]);
    expect(docker.exitCode, docker.all).toBe(0);
  });

  it("runs what it wrote for the zoo's Redis (ready by a TCP connect, from its redis-cli healthcheck, PING traffic)", async () => {
    await execa('sh', ['targets/redis/build.sh'], { stdin: 'ignore' });
    const { scenario } = await init('run', 'redis', { compose: 'docker-compose.yml', service: 'redis' });
    expect(scenario.target.ready).toEqual({ tcp: true, timeout: '30s' });
    const docker = await sigstorm(['run', join(out, 'run', 'redis.yml'), '--backend', 'docker', '--report-dir', reportDir, '--json']);
    expect(docker.exitCode, docker.all).toBe(0);
    // Ready, then PINGs answered +PONG until the stop.
    const ledger = (JSON.parse(docker.stdout) as { trial: { ledger: { outcome: string }[] } }).trial.ledger;
    expect(ledger.filter((op) => op.outcome === 'ok').length).toBeGreaterThan(0);
  });
});
