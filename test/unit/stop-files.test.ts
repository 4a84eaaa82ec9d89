import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readKubernetesManifest } from '../../src/stop-models/kubernetes-manifest.js';
import { splitCommandLine } from '../../src/stop-models/systemd-command.js';
import { parseTimeSpan } from '../../src/stop-models/systemd-time.js';
import { readSupervisordConf } from '../../src/stop-models/supervisord-conf.js';
import { readSystemdUnit } from '../../src/stop-models/systemd-unit.js';
import { tempFiles } from '../helpers/files.js';

// The stop settings teams keep in their own files, read into the scenario's `stop:` keys; every problem names the
// file, the line and the key in that file's own terms.

/** The message of what `promise` rejects with, one problem a line. */
const problems = (promise: Promise<unknown>) => promise.then(() => 'no error', (e: Error) => e.message.split('\n'));

const helmDeployment = `# Source: web/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app.kubernetes.io/name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app.kubernetes.io/name: web
  template:
    metadata:
      labels:
        app.kubernetes.io/name: web
    spec:
      serviceAccountName: web
      terminationGracePeriodSeconds: 60
      initContainers:
        - name: migrate
          image: "registry.example/web:1.4.2"
      containers:
        - name: web
          image: "registry.example/web:1.4.2"
          imagePullPolicy: IfNotPresent
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
          lifecycle:
            preStop:
              exec:
                command: ["sh", "-c", "sleep 5"]
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 2
          resources:
            limits: { cpu: 500m, memory: 256Mi }
`;

describe('Kubernetes manifests', () => {
  it('reads a Helm chart Deployment: grace period, exec preStop, readiness probe through a named port', async () => {
    const file = join(tempFiles({ 'deployment.yaml': helmDeployment }), 'deployment.yaml');
    expect(await readKubernetesManifest(file)).toEqual({
      file,
      container: 'web',
      settings: {
        termination_grace_period: 60_000,
        pre_stop: { exec: ['sh', '-c', 'sleep 5'] },
        readiness: { http: '/healthz', port: 8080, period: 2000, failure_threshold: 3 },
      },
      lines: { termination_grace_period: 19, pre_stop: 32, readiness: 35 },
    });
  });

  it('reads a Pod with a sleep preStop and a stop signal, and names a probe it does not play', async () => {
    const dir = tempFiles({
      'pod.yaml': `apiVersion: v1
kind: Pod
metadata: { name: api }
spec:
  containers:
    - name: api
      image: api:2
      lifecycle:
        stopSignal: SIGINT
        preStop:
          sleep:
            seconds: 10
      readinessProbe:
        tcpSocket: { port: 9000 }
`,
    });
    const read = await readKubernetesManifest(join(dir, 'pod.yaml'));
    expect(read.settings).toEqual({ stop_signal: 'SIGINT', pre_stop: { sleep: 10_000 } });
    expect(read.lines).toEqual({ stop_signal: 9, pre_stop: 10 });
    expect(read.readinessKind).toBe('tcpSocket');
  });

  it('finds the one workload of a multi-document file, and the one of a CronJob', async () => {
    const dir = tempFiles({
      'all.yaml': `apiVersion: v1
kind: Service
metadata: { name: web }
spec: { ports: [{ port: 80, targetPort: http }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template:
    spec:
      containers:
        - name: web
          image: web:1
          lifecycle:
            preStop:
              httpGet: { path: /drain, port: 8081 }
---
`,
      'cron.yaml': `apiVersion: batch/v1
kind: CronJob
metadata: { name: report }
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          terminationGracePeriodSeconds: 0
          restartPolicy: Never
          containers: [{ name: report, image: report:1 }]
`,
      'list.yaml': `apiVersion: v1
kind: List
items:
  - kind: ConfigMap
    metadata: { name: conf }
  - kind: StatefulSet
    metadata: { name: db }
    spec:
      template:
        spec:
          terminationGracePeriodSeconds: 120
          containers: [{ name: db, image: db:1 }, { name: exporter, image: exporter:1 }]
`,
    });
    const multi = await readKubernetesManifest(join(dir, 'all.yaml'));
    expect(multi.settings).toEqual({ pre_stop: { http_get: { path: '/drain', port: 8081 } } });
    expect(multi.lines).toEqual({ pre_stop: 16 });
    const cron = await readKubernetesManifest(join(dir, 'cron.yaml'));
    expect(cron).toMatchObject({ container: 'report', settings: { termination_grace_period: 0 }, lines: { termination_grace_period: 10 } });
    const list = await readKubernetesManifest(join(dir, 'list.yaml'), 'exporter');
    expect(list).toMatchObject({ container: 'exporter', settings: { termination_grace_period: 120_000 }, lines: { termination_grace_period: 11 } });
  });

  it('asks which workload or container when there are several, and lists them', async () => {
    const twoContainers = `kind: Pod
metadata: { name: p }
spec:
  containers:
    - { name: app, image: a }
    - { name: sidecar, image: s }
`;
    const twoWorkloads = `kind: Deployment
metadata: { name: a }
spec: { template: { spec: { containers: [{ name: app, image: a }] } } }
---
kind: Deployment
metadata: { name: b }
spec: { template: { spec: { containers: [{ name: app, image: b }, { name: worker, image: w }] } } }
`;
    const dir = tempFiles({
      'pod.yaml': twoContainers,
      'two.yaml': twoWorkloads,
      'svc.yaml': 'kind: Service\nmetadata: { name: s }\n',
      'job.yaml': 'kind: Job\nspec:\n  template:\n    spec:\n      containers: web\n',
    });
    const job = join(dir, 'job.yaml');
    expect(await problems(readKubernetesManifest(job))).toEqual([`${job}:5:19: spec.template.spec.containers: expected a list of containers`]);
    const pod = join(dir, 'pod.yaml');
    expect(await problems(readKubernetesManifest(pod))).toEqual([`${pod}:5:5: spec.containers: several containers: set stop.container to one of app, sidecar`]);
    expect(await problems(readKubernetesManifest(pod, 'web'))).toEqual([`${pod}:1:1: expected a container named "web"; it has: Pod p (line 1): app, sidecar`]);
    const two = join(dir, 'two.yaml');
    expect(await problems(readKubernetesManifest(two))).toEqual([
      `${two}:1:1: several workloads: set stop.container to a container only one of them has (Deployment a (line 1): app; Deployment b (line 5): app, worker)`,
    ]);
    expect(await problems(readKubernetesManifest(two, 'app'))).toEqual([expect.stringContaining(`${two}:1:1: several workloads have a container named "app"`)]);
    expect((await readKubernetesManifest(two, 'worker')).container).toBe('worker');
    const svc = join(dir, 'svc.yaml');
    expect(await problems(readKubernetesManifest(svc))).toEqual([
      `${svc}:1:1: expected a workload (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob); it has: Service s (line 1)`,
    ]);
  });

  it('names every wrong or unsupported setting at its line, in the manifest\'s own key path', async () => {
    const dir = tempFiles({
      'bad.yaml': `kind: Deployment
metadata: { name: web }
spec:
  template:
    spec:
      terminationGracePeriodSeconds: "60"
      containers:
        - name: web
          ports: [{ name: http, containerPort: 8080 }]
          lifecycle:
            stopSignal: SIGNOPE
            preStop:
              exec:
                command: sh -c "sleep 5"
          readinessProbe:
            httpGet: { path: /ready, port: admin, scheme: HTTPS, httpHeaders: [{ name: X, value: y }] }
            failureThreshold: 0
`,
      'negative.yaml': `kind: Pod
spec:
  terminationGracePeriodSeconds: -1
  containers:
    - name: a
      lifecycle:
        preStop:
          tcpSocket: { port: 80 }
`,
      'host.yaml': `kind: Pod
spec:
  containers:
    - name: a
      lifecycle:
        preStop:
          httpGet: { host: lb.internal, path: /drain, port: 80 }
`,
    });
    const bad = join(dir, 'bad.yaml');
    const c = 'spec.template.spec.containers[0]';
    expect(await problems(readKubernetesManifest(bad))).toEqual([
      `${bad}:6:38: spec.template.spec.terminationGracePeriodSeconds: expected a whole number of seconds ≥ 0, got a string`,
      `${bad}:11:25: ${c}.lifecycle.stopSignal: expected a signal name such as SIGTERM, got "SIGNOPE"`,
      `${bad}:14:26: ${c}.lifecycle.preStop.exec.command: expected a command: a list of strings such as ["sh", "-c", "sleep 5"]`,
      `${bad}:16:79: ${c}.readinessProbe.httpGet.httpHeaders: httpHeaders is not supported: sigstorm sends the GET to the target itself, plain`,
      `${bad}:16:59: ${c}.readinessProbe.httpGet.scheme: scheme HTTPS is not supported: sigstorm sends plain HTTP`,
      `${bad}:16:44: ${c}.readinessProbe.httpGet.port: expected a port named in the container's ports; it has: http (8080)`,
      `${bad}:17:31: ${c}.readinessProbe.failureThreshold: expected a whole number ≥ 1, got a number`,
    ]);
    const negative = join(dir, 'negative.yaml');
    expect(await problems(readKubernetesManifest(negative))).toEqual([
      `${negative}:3:34: spec.terminationGracePeriodSeconds: expected a whole number of seconds ≥ 0, got -1`,
      `${negative}:8:22: spec.containers[0].lifecycle.preStop.tcpSocket: tcpSocket is not supported: Kubernetes keeps it as a preStop hook for compatibility only and does not run it`,
    ]);
    const host = join(dir, 'host.yaml');
    expect(await problems(readKubernetesManifest(host))).toEqual([
      `${host}:7:28: spec.containers[0].lifecycle.preStop.httpGet.host: host is not supported: sigstorm sends the GET to the target itself, plain`,
    ]);
    // A setting the scenario writes itself is not read, so its problems are not the user's.
    expect((await readKubernetesManifest(negative, undefined, ['termination_grace_period', 'pre_stop'])).settings).toEqual({});
  });

  it('says a missing manifest cannot be read', async () => {
    const missing = join(tempFiles({}), 'nope.yaml');
    await expect(readKubernetesManifest(missing)).rejects.toThrow(`${missing}: cannot read Kubernetes manifest (no such file)`);
  });
});

describe('systemd units', () => {
  const unit = `[Unit]
Description=Web API
After=network-online.target

[Service]
Type=notify
ExecStart=/usr/local/bin/api \\
    --listen 0.0.0.0:8080 \\
    --drain-timeout 20s
# Tell the load balancer first, then stop.
ExecStop=/usr/local/bin/lbctl drain "web api" \\
# (until the load balancer has let go)
    --wait
ExecStop=-/bin/kill -s TERM $MAINPID
KillMode=mixed
KillSignal=SIGINT
SendSIGHUP=yes
TimeoutStopSec=5min 20s
FinalKillSignal=9
Restart=on-failure

[Install]
WantedBy=multi-user.target
KillMode=none
`;

  it('reads the [Service] stop settings: continuation lines (a comment inside skipped), ExecStop lines in order, KillMode=mixed', async () => {
    const file = join(tempFiles({ 'api.service': unit }), 'api.service');
    expect(await readSystemdUnit(file)).toEqual({
      file,
      settings: {
        exec_stop: [
          ['/usr/local/bin/lbctl', 'drain', 'web api', '--wait'],
          ['/bin/kill', '-s', 'TERM', '$MAINPID'],
        ],
        kill_mode: 'mixed',
        kill_signal: 'SIGINT',
        send_sighup: true,
        timeout_stop: 320_000,
        final_kill_signal: 'SIGKILL',
      },
      lines: { exec_stop: 11, kill_mode: 15, kill_signal: 16, send_sighup: 17, timeout_stop: 18, final_kill_signal: 19 },
    });
  });

  it('lets the last of TimeoutSec= and TimeoutStopSec= win, and an empty assignment reset', async () => {
    const dir = tempFiles({
      'a.service': '[Service]\nTimeoutStopSec=10\nTimeoutSec=2min30s\nExecStop=/bin/a\nExecStop=\nExecStop=/bin/b ; @/bin/c c-name arg\nKillSignal=HUP\nKillSignal=\n',
    });
    const read = await readSystemdUnit(join(dir, 'a.service'));
    expect(read.settings).toEqual({ timeout_stop: 150_000, exec_stop: [['/bin/b'], ['/bin/c', 'arg']] });
    expect(read.lines).toEqual({ timeout_stop: 3, exec_stop: 6 });
  });

  it('names every setting it cannot play at its line and column', async () => {
    const dir = tempFiles({
      'bad.service': `[Service]
KillMode=none
TimeoutStopSec=infinity
ExecStop=/usr/bin/curl -X POST $DRAIN_URL
ExecStop=/bin/echo %i
SendSIGKILL=maybe
KillSignal=SIGNOPE
ExecStop=/bin/sh -c 'unterminated
TimeoutSec=soon
`,
      'zero.service': '[Service]\nTimeoutStopSec=0\n',
      'socket.socket': '[Socket]\nListenStream=80\n',
      'syntax.service': '[Service]\nKillMode mixed\n',
    });
    const bad = join(dir, 'bad.service');
    expect(await problems(readSystemdUnit(bad))).toEqual([
      `${bad}:2:10: [Service] KillMode: sigstorm cannot play KillMode=none: nothing is killed`,
      `${bad}:3:16: [Service] TimeoutStopSec: infinity means no timeout, and sigstorm needs a bound: set stop.timeout_stop in the scenario`,
      `${bad}:4:10: [Service] ExecStop: $DRAIN_URL is not set by sigstorm (only $MAINPID is filled in); write its value`,
      `${bad}:5:10: [Service] ExecStop: unit specifiers such as %i are not expanded by sigstorm; write the value`,
      `${bad}:6:13: [Service] SendSIGKILL: expected a boolean (yes, no, true, false, on, off, 1, 0), got "maybe"`,
      `${bad}:7:12: [Service] KillSignal: expected a signal such as SIGTERM, TERM or 15, got "SIGNOPE"`,
      `${bad}:8:10: [Service] ExecStop: expected a closing '`,
      `${bad}:9:12: [Service] TimeoutSec: expected a time span such as 90, 90s, 5min 20s or 500ms, got "soon"`,
    ]);
    const zero = join(dir, 'zero.service');
    expect(await problems(readSystemdUnit(zero))).toEqual([`${zero}:2:16: [Service] TimeoutStopSec: 0 means no timeout, and sigstorm needs a bound: set stop.timeout_stop in the scenario`]);
    expect((await readSystemdUnit(zero, ['timeout_stop'])).settings).toEqual({});
    const socket = join(dir, 'socket.socket');
    expect(await problems(readSystemdUnit(socket))).toEqual([`${socket}:1:1: expected a [Service] section (the unit of a service); it has: [Socket]`]);
    const syntax = join(dir, 'syntax.service');
    expect(await problems(readSystemdUnit(syntax))).toEqual([`${syntax}:2:1: expected Key=Value, a [section] or a comment`]);
  });

  it('says a missing unit cannot be read', async () => {
    const missing = join(tempFiles({}), 'nope.service');
    await expect(readSystemdUnit(missing)).rejects.toThrow(`${missing}: cannot read systemd unit (no such file)`);
  });

  it('reads time spans and command lines as systemd does', () => {
    expect(['90', '90s', '5min 20s', '2min30s', '1h', '500ms', '1.5s', '1 min', '250us'].map(parseTimeSpan)).toEqual([90_000, 90_000, 320_000, 150_000, 3_600_000, 500, 1500, 60_000, 0.25]);
    expect(['', 'soon', '5 parsecs', '-1s'].map(parseTimeSpan)).toEqual([undefined, undefined, undefined, undefined]);
    expect(splitCommandLine(`+!!/bin/printf 'a b' "c\\"d" e\\x41 \\; 100%% \${MAINPID} $$HOME`)).toEqual({ commands: [['/bin/printf', 'a b', 'c"d', 'eA', ';', '100%', '${MAINPID}', '$HOME']] });
    expect(splitCommandLine('-')).toEqual({ error: 'expected a command after the prefixes, such as /bin/kill -TERM $MAINPID' });
  });
});

describe('supervisord configurations', () => {
  const conf = `[supervisord]
nodaemon=true
logfile=/var/log/supervisor/supervisord.log ; main log

[program:web]
command=/usr/local/bin/web --port 8080
  --workers 4
autorestart=true
stopsignal=QUIT ; graceful for gunicorn
stopwaitsecs = 30
stopasgroup: true
killasgroup=true

[program:worker]
command=/usr/local/bin/worker
stopsignal=SIGINT
StopWaitSecs=5
killasgroup=yes
`;

  it('reads the program named, or asks which when there are several', async () => {
    const file = join(tempFiles({ 'supervisord.conf': conf }), 'supervisord.conf');
    expect(await readSupervisordConf(file, 'web')).toEqual({
      file,
      program: 'web',
      settings: { stop_signal: 'SIGQUIT', stop_wait: 30_000, stop_as_group: true, kill_as_group: true },
      lines: { stop_signal: 9, stop_wait: 10, stop_as_group: 11, kill_as_group: 12 },
    });
    expect((await readSupervisordConf(file, 'worker')).settings).toEqual({ stop_signal: 'SIGINT', stop_wait: 5000, kill_as_group: true });
    expect(await problems(readSupervisordConf(file))).toEqual([`${file}:1:1: several programs: set stop.program to one of them; it has: [program:web], [program:worker]`]);
    expect(await problems(readSupervisordConf(file, 'api'))).toEqual([`${file}:1:1: expected a [program:api] section; it has: [program:web], [program:worker]`]);
  });

  it('names every setting it cannot play at its line', async () => {
    const dir = tempFiles({
      'bad.conf': `[program:web]
command=/bin/web
numprocs=4
process_name=%(program_name)s_%(process_num)02d
stopsignal=WINCH
stopwaitsecs=%(ENV_STOP_WAIT)s
stopasgroup=true
killasgroup=false
`,
      'odd.conf': '[program:a]\nstopwaitsecs=1.5\nstopasgroup=sure\nthis line has no value\n',
    });
    const bad = join(dir, 'bad.conf');
    expect(await problems(readSupervisordConf(bad))).toEqual([
      `${bad}:3:10: [program:web] numprocs: expected 1: sigstorm stops one process, this program runs 4`,
      `${bad}:5:12: [program:web] stopsignal: expected one of TERM, HUP, INT, QUIT, KILL, USR1, USR2 (with or without SIG), got "WINCH"`,
      `${bad}:6:14: [program:web] stopwaitsecs: expansions such as %(ENV_STOP_WAIT)s are not expanded by sigstorm; write the value`,
      `${bad}:8:13: [program:web] killasgroup: supervisord refuses stopasgroup=true with killasgroup=false`,
    ]);
    const odd = join(dir, 'odd.conf');
    expect(await problems(readSupervisordConf(odd))).toEqual([`${odd}:4:1: expected key = value, a [section] or a comment`]);
  });

  it('says a missing configuration cannot be read', async () => {
    const missing = join(tempFiles({}), 'supervisord.conf');
    await expect(readSupervisordConf(missing)).rejects.toThrow(`${missing}: cannot read supervisord configuration (no such file)`);
  });
});
