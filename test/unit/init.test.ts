import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { listeningPorts } from '../../src/host/tcp-table.js';
import { finish } from '../../src/init/common.js';
import { describeRun, portedArgv, readyLine, withCommand } from '../../src/init/command.js';
import type { CommandRun } from '../../src/init/command-run.js';
import { composeDraft, parseCompose } from '../../src/init/compose.js';
import { dockerfileDraft, parseDockerfile, runForm, signalWarning } from '../../src/init/dockerfile.js';
import type { Draft } from '../../src/init/draft.js';
import { httpCheck } from '../../src/init/http-check.js';
import { guessProtocol } from '../../src/init/protocol.js';
import { tcpCheck } from '../../src/init/tcp-check.js';
import { kubernetesDraft, parseKubernetes } from '../../src/init/kubernetes.js';
import { initScenario } from '../../src/init/init.js';
import { renderDraft } from '../../src/init/render.js';
import { schemaRef } from '../../src/init/schema-ref.js';
import { candidates } from '../../src/init/sources.js';
import { execArgv, parseSystemd, systemdDraft } from '../../src/init/systemd.js';

// sigstorm init's readers, each on an artefact written the way popular projects write them (test/fixtures/init/),
// and the YAML it renders. test/e2e/init.test.ts runs the command on the zoo's and the real servers' own files.

const dir = 'test/fixtures/init';
const text = (path: string) => readFileSync(join(dir, path), 'utf8');
/** The draft as the scenario file it renders, read back as plain data. */
const written = (draft: Draft) => parse(renderDraft(draft, './node_modules/sigstorm/schema/scenario.schema.json')) as Record<string, any>;

describe('init: compose', () => {
  const facts = parseCompose(text('compose/docker-compose.yml'), 'compose/docker-compose.yml');

  it('picks the service nothing depends on that has ports, and says so', () => {
    expect(facts.service).toBe('web');
    expect(facts.chosen).toMatch(/chose service web of 3 \(--service picks another: worker, redis\)/);
    expect(facts.ports).toEqual(['8000']); // "127.0.0.1:8000:8000": the container port
    expect(facts.stopSignal).toBe('SIGINT');
    expect(facts.dependsOn).toEqual(['redis']);
    expect(facts.healthcheck).toMatchObject({ line: 21, http: { path: '/health', port: 8000 } });
    expect(facts.keys.find((k) => k.key === 'stop_grace_period')).toEqual({ key: 'stop_grace_period', line: 26 });
  });

  it('names the compose service, reads readiness from its healthcheck, expects its stop signal', () => {
    const scenario = written(finish(composeDraft(facts, 'compose/docker-compose.yml')));
    expect(scenario.target).toEqual({ compose: 'compose/docker-compose.yml', service: 'web', ready: { http: '/health', port: 8000, timeout: '30s' } });
    expect(scenario.workload.requests[0].path).toBe('/health');
    expect(Object.keys(scenario.expect)).toEqual(['SIGINT']);
  });

  it('a list depends_on gets its conditions: service_healthy where the service has a healthcheck', () => {
    const worker = parseCompose(text('compose/docker-compose.yml'), 'compose/docker-compose.yml', 'worker');
    const draft = finish(composeDraft(worker, 'c.yml'));
    expect(written(draft).target.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
    // No port: no readiness probe and no traffic, each said.
    expect(written(draft).target.ready).toBeUndefined();
    expect(draft.unknowns.join('\n')).toMatch(/readiness: no port and no health check[\s\S]*traffic: no port: a worker/);
  });

  it('a healthcheck of redis-cli ping is a TCP readiness, said with its line, and Redis gets PINGs', () => {
    const redis = finish(composeDraft(parseCompose(text('compose/docker-compose.yml'), 'c.yml', 'redis'), 'c.yml'));
    const scenario = written(redis);
    expect(scenario.target.ready).toEqual({ tcp: true, timeout: '30s' });
    expect(renderDraft(redis, 's.json')).toMatch(/# healthcheck.test at c.yml:39 \(redis-cli ping\) checks that the server answers on its port/);
    expect(scenario.workload).toEqual({ tcp: [{ send: 'PING\r\n', expect: '^\\+PONG', rate: 20, concurrency: 2, connection: 'keep-alive' }] });
    expect(redis.unknowns.filter((u) => /readiness|traffic/.test(u))).toEqual([]);
  });

  it('compose checks: curl of a path is HTTP; grpc_health_probe, nc -z and CMD-SHELL redis-cli are TCP, on the port they name', () => {
    const service = (port: string, test: string) => `services:\n  s:\n    build: .\n    ports: ["${port}"]\n    healthcheck:\n      test: ${test}\n`;
    const ready = (port: string, test: string) => written(finish(composeDraft(parseCompose(service(port, test), 'c.yml'), 'c.yml'))).target.ready;
    expect(ready('8080', '["CMD", "curl", "-f", "http://localhost:8080/healthz"]')).toEqual({ http: '/healthz', port: 8080, timeout: '30s' });
    expect(ready('50051', '["CMD", "/bin/grpc_health_probe", "-addr=:50051"]')).toEqual({ tcp: true, timeout: '30s' });
    expect(ready('7070', '["CMD-SHELL", "nc -z localhost 7070 || exit 1"]')).toEqual({ tcp: true, timeout: '30s' });
    expect(ready('8080', '["CMD-SHELL", "nc -z 127.0.0.1 9000"]')).toEqual({ tcp: 9000, timeout: '30s' });
    expect(ready('6380', '["CMD-SHELL", "redis-cli -p 6380 ping | grep PONG"]')).toEqual({ tcp: true, timeout: '30s' });
    // A check sigstorm cannot ask from outside: the port decides, said as a default.
    expect(ready('8080', '["CMD", "/app/healthcheck"]')).toEqual({ http: '/healthz', timeout: '30s' });
    expect(ready('7070', '["CMD", "/app/healthcheck"]')).toEqual({ tcp: true, timeout: '30s' });
  });

  it('no check: a port or a name that is not HTTP gets a TCP readiness, an HTTP port the /healthz default, each said why', () => {
    const draft = (yaml: string) => finish(composeDraft(parseCompose(`services:\n  s:\n${yaml}`, 'c.yml'), 'c.yml'));
    const tcp = draft('    build: ./targets/tcp\n    ports: ["7070"]\n');
    expect(written(tcp).target.ready).toEqual({ tcp: true, timeout: '30s' });
    expect(renderDraft(tcp, 's.json')).toMatch(/# Default: nothing says it speaks HTTP \(no HTTP health check, and 7070 is no conventional HTTP port\)/);
    expect(tcp.unknowns).toContain('a readiness check (a TCP connect to its port instead: nothing says it speaks HTTP)');
    expect(tcp.unknowns.some((u) => u.startsWith('traffic: not HTTP'))).toBe(true);
    expect(written(draft('    image: redis:7-alpine\n    ports: ["6379"]\n')).workload.tcp[0].send).toBe('PING\r\n');
    const grpc = draft('    build: ./grpc-api\n    ports: ["8080"]\n');
    expect(written(grpc).target.ready).toEqual({ tcp: true, timeout: '30s' });
    expect(grpc.unknowns.some((u) => u.startsWith('traffic: gRPC'))).toBe(true);
    const web = draft('    build: ./api\n    ports: ["8080"]\n');
    expect(written(web).target.ready).toEqual({ http: '/healthz', timeout: '30s' });
    expect(renderDraft(web, 's.json')).toMatch(/\(port 8080 is an HTTP port by convention\)/);
  });

  it('refuses a service the file does not have, naming those it has', () => {
    expect(() => parseCompose(text('compose/docker-compose.yml'), 'c.yml', 'api')).toThrow('c.yml: no service "api"; it has: web, worker, redis');
  });
});

describe('init: Dockerfile', () => {
  it('an official-image Node app: EXPOSE, the HEALTHCHECK (continued line), and its shell-form CMD flagged', () => {
    const facts = parseDockerfile(text('node/Dockerfile'));
    expect(facts.from).toEqual({ value: 'node:20-alpine', line: 3 });
    expect(facts.expose).toEqual([{ value: '3000', line: 9 }]);
    expect(facts.healthcheck).toMatchObject({ line: 10, http: { path: '/healthz', port: 3000 } });
    expect(facts.cmd).toEqual({ form: 'shell', argv: ['/bin/sh', '-c', 'npm start'], line: 13 });
    const draft = finish(dockerfileDraft(facts, 'node/Dockerfile', { context: 'node', dockerfile: 'Dockerfile' }));
    expect(draft.warnings[0]).toMatch(/^CMD at node\/Dockerfile:13 is in shell form: \/bin\/sh -c runs as PID 1/);
    const scenario = written(draft);
    expect(scenario.target).toMatchObject({ build: 'node', ports: ['3000'], stop_signal: 'SIGTERM', stop_grace_period: '10s', ready: { http: '/healthz', port: 3000 } });
    expect(renderDraft(draft, 'x')).toContain('# Warning: CMD at node/Dockerfile:13 is in shell form');
  });

  it('a multi-stage Python app: the final stage only, STOPSIGNAL, exec-form ENTRYPOINT, ports it cannot use skipped', () => {
    const facts = parseDockerfile(text('python/Dockerfile'));
    expect(facts.from?.line).toBe(7);
    expect(facts.expose.map((e) => e.value)).toEqual(['8080']);
    expect(facts.skipped.map((e) => e.value)).toEqual(['9090/udp', '$METRICS_PORT']);
    expect(facts.stopSignal).toEqual({ value: 'SIGINT', line: 14 });
    expect(facts.entrypoint).toEqual({ form: 'exec', argv: ['uvicorn', 'service.main:app', '--host', '0.0.0.0', '--port', '8080'], line: 15 });
    const draft = finish(dockerfileDraft(facts, 'python/Dockerfile', { context: 'python', dockerfile: 'Dockerfile' }));
    expect(draft.warnings).toEqual([]);
    expect(draft.unknowns).toContain('a readiness path (defaulted to /healthz)');
    expect(Object.keys(written(draft).expect)).toEqual(['SIGINT']);
  });

  it('flags a shell as PID 1 in exec form too: a script, or sh -c', () => {
    expect(signalWarning(runForm('["/bin/sh", "/start.sh"]', 4), 'ENTRYPOINT', 'Dockerfile')).toMatch(/runs a shell script .* unless the script ends by `exec`/);
    expect(signalWarning(runForm('["sh", "-c", "node app.js"]', 4), 'CMD', 'Dockerfile')).toMatch(/runs `sh -c` as PID 1/);
    expect(signalWarning(runForm('["node", "app.js"]', 4), 'CMD', 'Dockerfile')).toBeUndefined();
  });

  it('finds the HTTP check of a local host in a health command, and nothing in another', () => {
    expect(httpCheck(['curl', '-f', 'http://127.0.0.1:8080/status?full=1'])).toEqual({ path: '/status?full=1', port: 8080, url: 'http://127.0.0.1:8080/status?full=1' });
    expect(httpCheck(['wget', '-qO-', 'http://localhost/'])).toMatchObject({ path: '/', port: 80 });
    expect(httpCheck(['curl', 'http://example.com/health'])).toBeUndefined();
    expect(httpCheck(['redis-cli', 'ping'])).toBeUndefined();
  });
});

describe('init: Kubernetes', () => {
  const facts = parseKubernetes(text('k8s/deployment.yaml'), 'k8s/deployment.yaml');

  it('skips the Service, takes the Deployment’s first container, resolves the named probe port', () => {
    expect(facts).toMatchObject({ kind: 'Deployment', name: 'api', container: 'api', image: { value: 'ghcr.io/example/api:2.3.1', line: 27 } });
    expect(facts.chosen).toMatch(/chose container api of 2 \(--container picks another: log-shipper\)/);
    expect(facts.ports).toEqual([{ port: 8080, line: 30 }, { port: 9102, line: 32 }]); // the list items' lines
    expect(facts.probe).toMatchObject({ kind: 'readinessProbe', path: '/ready', port: 8080, line: 40 });
    expect(facts.preStop).toEqual({ text: '{"exec":{"command":["sleep","5"]}}', line: 51 });
    expect(facts.grace).toEqual({ seconds: 45, line: 24 });
    expect(facts.env).toEqual({ LOG_LEVEL: 'info' }); // valueFrom left out
  });

  it('leaves the stop to the kubernetes model reading the same file, and cites what it will read', () => {
    const draft = finish(kubernetesDraft(facts, 'k8s/deployment.yaml'));
    const scenario = written(draft);
    expect(scenario.stop).toEqual({ model: 'kubernetes', file: 'k8s/deployment.yaml', container: 'api' });
    expect(scenario.target).toMatchObject({ image: 'ghcr.io/example/api:2.3.1', command: ['--listen', ':8080'], ports: ['8080', '9102'], ready: { http: '/ready', port: 8080 } });
    const why = draft.entries.find((e) => e.path.join('.') === 'stop.model')!.why;
    expect(why).toContain('preStop {"exec":{"command":["sleep","5"]}} (line 51), terminationGracePeriodSeconds 45 (line 24), the stop signal SIGTERM');
  });

  it('names the container asked for, or refuses one the pod does not have', () => {
    expect(parseKubernetes(text('k8s/deployment.yaml'), 'd.yaml', 'log-shipper')).toMatchObject({ container: 'log-shipper', ports: [], unusable: [] });
    expect(() => parseKubernetes(text('k8s/deployment.yaml'), 'd.yaml', 'web')).toThrow('d.yaml: no container "web" in the Deployment; it has: api, log-shipper');
  });

  it('tcpSocket and grpc probes, and an exec of redis-cli, are a TCP readiness on their port', () => {
    const pod = (probe: string, ports = '[{ containerPort: 6379, name: redis }, { containerPort: 9121 }]') =>
      `kind: Pod\nmetadata: { name: p }\nspec:\n  containers:\n    - name: c\n      image: i\n      ports: ${ports}\n      readinessProbe: ${probe}\n`;
    const ready = (yaml: string) => {
      const draft = finish(kubernetesDraft(parseKubernetes(yaml, 'p.yaml'), 'p.yaml'));
      return { ready: written(draft).target.ready, text: renderDraft(draft, 's.json') };
    };
    expect(ready(pod('{ tcpSocket: { port: redis } }')).ready).toEqual({ tcp: true, timeout: '30s' });
    expect(ready(pod('{ tcpSocket: { port: 9121 } }')).ready).toEqual({ tcp: 9121, timeout: '30s' });
    expect(ready(pod('{ tcpSocket: { port: 6379 } }')).text).toMatch(/# readinessProbe at p.yaml:8: tcpSocket on port 6379: a TCP connect to it asks the same from outside/);
    expect(ready(pod('{ grpc: { port: 50051 } }', '[{ containerPort: 50051 }]')).ready).toEqual({ tcp: true, timeout: '30s' });
    expect(ready(pod('{ exec: { command: [sh, -c, "redis-cli ping | grep PONG"] } }')).ready).toEqual({ tcp: true, timeout: '30s' });
    expect(ready(pod('{ exec: { command: [cat, /tmp/ready] } }')).text).toMatch(/Not inferred: readiness from readinessProbe at line 8 \(exec\)/);
  });
});

describe('init: services that speak no HTTP, as popular projects write them', () => {
  it('Redis as a StatefulSet: ready by a TCP connect to its named port, PINGs, stopped as the kubelet stops it', () => {
    const facts = parseKubernetes(text('redis/statefulset.yaml'), 'redis/statefulset.yaml');
    expect(facts.probe).toMatchObject({ kind: 'readinessProbe', port: 6379, line: 24 });
    const draft = finish(kubernetesDraft(facts, 'redis/statefulset.yaml'));
    const scenario = written(draft);
    expect(scenario.target).toMatchObject({ image: 'redis:7.2-alpine', ports: ['6379'], ready: { tcp: true, timeout: '30s' } });
    expect(scenario.workload.tcp[0].send).toBe('PING\r\n'); // the image names Redis
    expect(scenario.stop).toMatchObject({ model: 'kubernetes', container: 'redis' });
    expect(draft.unknowns.filter((u) => /readiness|traffic/.test(u))).toEqual([]);
  });

  it('a Go gRPC image: grpc_health_probe as HEALTHCHECK is a TCP readiness; gRPC traffic is left to say', () => {
    const facts = parseDockerfile(text('grpc/Dockerfile'));
    expect(facts.healthcheck).toMatchObject({ line: 16, tcp: { program: 'grpc_health_probe', protocol: 'grpc', port: 50051 } });
    const draft = finish(dockerfileDraft(facts, 'grpc/Dockerfile', { context: 'grpc', dockerfile: 'Dockerfile' }));
    expect(written(draft).target).toMatchObject({ ports: ['50051'], ready: { tcp: true, timeout: '30s' } });
    expect(renderDraft(draft, 's.json')).toMatch(/# HEALTHCHECK at grpc\/Dockerfile:16 \(\["\/bin\/grpc_health_probe", "-addr=:50051"\]\) checks that the server answers on\n    # port 50051/);
    expect(draft.unknowns).toContain('traffic: gRPC: give `workload.grpc` (your .proto and a method)');
  });
});

describe('init: health checks that amount to a TCP connect', () => {
  it('names the program, its protocol, and the port it asks', () => {
    expect(tcpCheck(['/usr/bin/redis-cli', 'ping'])).toEqual({ program: 'redis-cli', protocol: 'redis' });
    expect(tcpCheck(['redis-cli', '-h', 'localhost', '-p', '6380', 'ping'])).toEqual({ program: 'redis-cli', protocol: 'redis', port: 6380 });
    expect(tcpCheck(['grpc_health_probe', '-addr=localhost:50051'])).toEqual({ program: 'grpc_health_probe', protocol: 'grpc', port: 50051 });
    expect(tcpCheck(['grpc_health_probe', '-addr', ':9000'])).toMatchObject({ port: 9000 });
    expect(tcpCheck(['nc -z localhost 7070 || exit 1'])).toEqual({ program: 'nc', port: 7070 });
    expect(tcpCheck(['pg_isready', '-U', 'postgres'])).toEqual({ program: 'pg_isready', protocol: 'postgresql' });
    expect(tcpCheck(['bash', '-c', 'echo > /dev/tcp/localhost/8080'])).toEqual({ program: '/dev/tcp', port: 8080 });
    expect(tcpCheck(['curl', '-f', 'http://localhost/'])).toBeUndefined();
    expect(tcpCheck(['/app/healthcheck'])).toBeUndefined();
  });

  it('guesses HTTP from a port or a name only where a convention says, and says why', () => {
    expect(guessProtocol(8080, ['./api'])).toEqual({ protocol: 'http', why: 'port 8080 is an HTTP port by convention' });
    expect(guessProtocol(6380, ['bitnami/redis:7'])).toEqual({ protocol: 'redis', why: '"bitnami/redis:7" names Redis, not HTTP' });
    // A name on an HTTP port: a TCP readiness, and no protocol's traffic (redis-commander is a web UI).
    expect(guessProtocol(8081, ['ghcr.io/joeferner/redis-commander'])).toMatchObject({ protocol: 'tcp', why: expect.stringContaining('it may speak either') });
    expect(guessProtocol(8080, ['./grpc-api'])).toMatchObject({ protocol: 'grpc' });
    expect(guessProtocol(5432, [])).toMatchObject({ protocol: 'tcp', why: 'port 5432 is a database or broker port by convention, not HTTP' });
    expect(guessProtocol(7070, [])).toMatchObject({ protocol: 'tcp' });
    expect(guessProtocol(undefined, ['/usr/bin/app'])).toBeUndefined();
  });
});

describe('init: systemd', () => {
  it("Debian's nginx unit: the forking command flagged, the stop left to the systemd model with its settings cited", () => {
    const facts = parseSystemd(text('systemd/nginx.service'), 'systemd/nginx.service');
    expect(facts.execStart).toMatchObject({ argv: ['/usr/sbin/nginx', '-g', 'daemon on; master_process on;'], line: 12 });
    const draft = finish(systemdDraft(facts, 'systemd/nginx.service'));
    expect(draft.warnings[0]).toMatch(/^Type=forking at systemd\/nginx.service:9/);
    expect(written(draft).stop).toEqual({ model: 'systemd', file: 'systemd/nginx.service' });
    const why = draft.entries.find((e) => e.path.join('.') === 'stop.model')!.why;
    expect(why).toContain('KillSignal defaulted to SIGTERM, KillMode=mixed (line 16), TimeoutStopSec=5 (line 15), ExecStop=-/sbin/start-stop-daemon');
  });

  it("a Go API's unit: continued ExecStart, quoted Environment pairs, KillSignal as the expected signal", () => {
    const facts = parseSystemd(text('systemd/api.service'), 'systemd/api.service');
    const scenario = written(finish(systemdDraft(facts, 'api.service')));
    expect(scenario.target.process).toEqual({ command: ['/usr/local/bin/api', '--config', '/etc/api/config.yaml'], env: { GOMAXPROCS: '2', LOG_FORMAT: 'json', ADDR: ':8080' }, cwd: '/srv/api' });
    expect(Object.keys(scenario.expect)).toEqual(['SIGINT']);
  });

  it("ExecStart's prefixes are dropped, and a unit without one is refused", () => {
    expect(execArgv('-@/usr/bin/app app-name --flag')).toEqual(['/usr/bin/app', '--flag']);
    expect(execArgv('/bin/a x ; /bin/b')).toEqual(['/bin/a', 'x']);
    expect(() => parseSystemd('[Unit]\nDescription=x\n', 'x.service')).toThrow('x.service: expected a [Service] section with ExecStart=');
  });
});

describe('init: a command', () => {
  const run: CommandRun = {
    argv: ['./api', '--port', '5000'],
    handed: 41000,
    ports: [5000, 9100],
    port: 5000,
    listeningAfterMs: 120,
    tried: [{ path: '/healthz', detail: 'HTTP 404', ok: false }, { path: '/health', detail: 'HTTP 200', ok: true }],
    ready: '/health',
    output: ['api: serving on :5000'],
    comms: ['api'],
    exit: { code: 0, signal: null, afterMs: 40, how: 'SIGTERM' },
  };

  it("a catalogued server behind a wrapper script is stopped by its documented graceful stop; a file's stop is kept", () => {
    const nginx = { ...run, argv: ['sh', 'run.sh'], comms: ['nginx'] };
    const draft = finish(withCommand(undefined, nginx, undefined));
    expect(written(draft).target.stop_signal).toBe('SIGQUIT');
    expect(Object.keys(written(draft).expect)).toEqual(['SIGQUIT']);
    expect(renderDraft(draft, 's.json')).toMatch(/# nginx \(its process nginx when started\): its documented graceful stop is SIGQUIT/);
    expect(written(finish(withCommand(undefined, run, undefined))).target.stop_signal).toBe('SIGTERM'); // not catalogued: the default
    const unit = parseSystemd(text('systemd/api.service'), 'systemd/api.service');
    expect(written(finish(withCommand(systemdDraft(unit, 'api.service'), nginx, undefined))).expect).toHaveProperty('SIGINT');
  });

  it('a fixed port the command names becomes {port}; the path that answered is the readiness path', () => {
    expect(portedArgv(run)).toEqual({ argv: ['./api', '--port', '{port}'], replaced: true });
    expect(portedArgv({ ...run, argv: ['./api', '--listen=:5000'] }).argv).toEqual(['./api', '--listen=:{port}']);
    const scenario = written(finish(withCommand(undefined, run, undefined)));
    expect(scenario.target.process.command).toEqual(['./api', '--port', '{port}']);
    expect(scenario.target.ready.http).toBe('/health');
    expect(describeRun(run)).toBe(
      'Started once by sigstorm init: it listened on port 5000 (not the 41000 handed in $PORT) 120 ms after it started, and on 9100; asked /healthz (HTTP 404), /health (HTTP 200); SIGTERM ended it (exit 0 40 ms later).',
    );
  });

  it('a fixed port no argument names is said; a non-HTTP server is ready on a TCP connect, a worker on a line it prints', () => {
    const fixed = withCommand(undefined, { ...run, argv: ['./api'] }, undefined);
    expect(fixed.draft.unknowns[0]).toMatch(/^the port: it listened on 5000, not on the port handed in \$PORT/);
    const tcp = { ...run, port: 41000, ports: [41000], ready: undefined, tried: [{ path: '/healthz', detail: 'HPE_INVALID_CONSTANT', ok: false }] };
    expect(written(finish(withCommand(undefined, tcp, undefined))).target.ready).toEqual({ tcp: true, timeout: '30s' });
    const redis = written(finish(withCommand(undefined, { ...tcp, argv: ['redis-server', '--port', '41000'] }, undefined)));
    expect(redis.workload.tcp[0].expect).toBe('^\\+PONG');
    // HTTP, but no path asked answered 2xx: a TCP readiness, and the missing path said.
    const notFound = withCommand(undefined, { ...tcp, tried: [{ path: '/healthz', detail: 'HTTP 404', ok: false }] }, undefined);
    expect(finish(notFound).unknowns).toContain('a readiness path (none of /healthz answered 2xx: a TCP connect to its port instead)');
    expect(written(finish(notFound)).workload).toBeUndefined();
    expect(finish(notFound).unknowns).toContain('traffic: HTTP, but no path asked answered 2xx: give `workload.requests` a path that does');
    const worker = { ...run, port: undefined, ports: [], ready: undefined, tried: [], output: ['worker: ready'] };
    expect(written(finish(withCommand(undefined, worker, undefined))).target.ready).toEqual({ log: 'ready', timeout: '30s' });
    const ended = { ...worker, exit: { code: 1, signal: null, afterMs: 5, how: 'early' as const } };
    expect(written(finish(withCommand(undefined, ended, undefined))).target.ready).toBeUndefined();
    expect(readyLine(['starting', 'Listening on 0.0.0.0:80'])).toBe('Listening');
  });

  it('gives a file source its process form, and keeps the readiness path the file gave when it answers', () => {
    const facts = parseKubernetes(text('k8s/deployment.yaml'), 'k8s/deployment.yaml');
    const answered = { ...run, tried: [{ path: '/ready', detail: 'HTTP 200', ok: true }], ready: '/ready' };
    const sketch = withCommand(kubernetesDraft(facts, 'k8s/deployment.yaml'), answered, 'app');
    const scenario = written(finish(sketch));
    expect(scenario.target.process).toEqual({ command: ['./api', '--port', '{port}'], cwd: 'app' });
    expect(scenario.target.ready).toEqual({ http: '/ready', port: 8080, timeout: '30s' });
    expect(sketch.draft.unknowns.some((u) => u.startsWith('a process form'))).toBe(false);
    expect(sketch.draft.warnings).toEqual([]);
  });

  it("replaces a file's readiness path that the started command did not answer, and says so", () => {
    const facts = parseKubernetes(text('k8s/deployment.yaml'), 'k8s/deployment.yaml');
    const missed = { ...run, tried: [{ path: '/ready', detail: 'HTTP 404', ok: false }, ...run.tried] };
    const sketch = withCommand(kubernetesDraft(facts, 'k8s/deployment.yaml'), missed, undefined);
    expect(written(finish(sketch)).target.ready.http).toBe('/health');
    expect(sketch.draft.warnings).toEqual([
      'the readiness path /ready that k8s/deployment.yaml, Deployment api, container api gives answered HTTP 404 when the command was started; /health answered 2xx and is used instead.',
    ]);
  });
});

describe('init: the rest', () => {
  it('reads the ports a process listens on from its TCP table, by its sockets’ inodes', () => {
    const lines = [
      '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 111 1 0 100 0 0 10 0',
      '   1: 0100007F:2382 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 222 1 0 100 0 0 10 0',
      '   2: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 333 1 0 100 0 0 10 0',
    ];
    expect(listeningPorts(lines, new Set(['111', '333']))).toEqual([8080]);
  });

  it('renders values YAML reads back unchanged, and comments wrapped under 120 columns', () => {
    const draft: Draft = { source: 's', unknowns: ['x'], warnings: [], entries: [{ path: ['a', 'b'], value: ['08', 'yes', '{port}', '/p', 'x: y', '10s', 3], why: 'w '.repeat(100) }] };
    const out = renderDraft(draft, './s.json');
    expect(parse(out)).toEqual({ a: { b: ['08', 'yes', '{port}', '/p', 'x: y', '10s', 3] } });
    expect(out.split('\n').every((l) => l.length <= 120)).toBe(true);
    expect(out.startsWith('# yaml-language-server: $schema=./s.json\n')).toBe(true);
  });

  it('with no flag, prefers a compose file, then a Dockerfile, a manifest, a unit', () => {
    expect(candidates(join(dir, 'compose')).map((c) => c.kind)).toEqual(['compose', 'dockerfile']);
    // Manifests and units are also looked for in the folders projects keep them in.
    expect(candidates(dir).map((c) => c.path)).toEqual(['k8s/deployment.yaml', 'systemd/api.service', 'systemd/nginx.service']);
    expect(candidates(join(dir, 'k8s'))).toEqual([{ kind: 'k8s', path: 'deployment.yaml' }]);
    expect(candidates(join(dir, 'systemd')).map((c) => c.path)).toEqual(['api.service', 'nginx.service']);
  });

  it('with no flag, writes from the first file found, says what it chose, validates, and never overwrites', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'sigstorm-init-unit-')), 'nested', 'sigstorm.yml');
    const result = await initScenario({ cwd: join(dir, 'compose'), out });
    expect(result.chose).toBe('chose docker-compose.yml (also found: --dockerfile Dockerfile; name one to use it instead)');
    expect(result).toMatchObject({ source: 'docker-compose.yml, service web', backends: ['docker'] });
    expect(readFileSync(out, 'utf8')).toBe(result.text);
    await expect(initScenario({ cwd: join(dir, 'compose'), out })).rejects.toThrow(/sigstorm.yml exists: not overwritten \(--force overwrites it/);
    expect((await initScenario({ cwd: join(dir, 'compose'), out, force: true, dockerfile: 'Dockerfile' })).source).toBe('Dockerfile');
  });

  it("points $schema at the sigstorm installed in the project's node_modules, relative to the scenario", () => {
    const project = mkdtempSync(join(tmpdir(), 'sigstorm-init-project-'));
    mkdirSync(join(project, 'node_modules/sigstorm/schema'), { recursive: true });
    writeFileSync(join(project, 'node_modules/sigstorm/schema/scenario.schema.json'), '{}');
    mkdirSync(join(project, 'ops'));
    expect(schemaRef(project)).toBe('./node_modules/sigstorm/schema/scenario.schema.json');
    expect(schemaRef(join(project, 'ops'))).toBe('../node_modules/sigstorm/schema/scenario.schema.json');
    // Not installed there (this repository): the schema of the sigstorm that runs.
    expect(resolve('scenarios', schemaRef('scenarios'))).toBe(resolve('schema/scenario.schema.json'));
  });
});
