import { z } from 'zod';
import { argv } from '../../input/fields/argv.js';
import { duration } from '../../input/fields/duration.js';
import { osText } from '../../input/fields/os-text.js';
import { port } from '../../input/fields/port.js';
import { signal } from '../../input/fields/signal.js';

// `stop:` of a scenario: how the target's orchestrator stops it. Each model's keys may come from the file where the
// team keeps them (`file:`); keys written here win over the file's.

const file = osText.optional();

/** A hook run before the stop signal: Kubernetes' preStop `sleep`, `exec` or `httpGet`. */
const hook = z.union([
  z.strictObject({ sleep: duration() }),
  z.strictObject({ exec: argv.meta({ description: 'Run in the container (process form: on the host, in the target\'s directory and environment)' }) }),
  z.strictObject({ http_get: z.strictObject({ path: z.string().startsWith('/'), port: port.optional() }) }),
]);

const docker = z
  .strictObject({ model: z.literal('docker') })
  .meta({ description: '`docker stop`: the target\'s stop_signal to PID 1, SIGKILL after stop_grace_period (the default)' });

const kubernetes = z
  .strictObject({
    model: z.literal('kubernetes'),
    file: file.meta({ description: 'A Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet or Job manifest (relative to the scenario) to read the settings from' }),
    container: z.string().optional().meta({ description: 'The container of the pod that is the target (default: the only one)' }),
    pre_stop: hook.optional().meta({ description: 'lifecycle.preStop: `sleep`, `exec` or `http_get`' }),
    termination_grace_period: duration().optional().meta({ description: 'terminationGracePeriodSeconds (default 30s), preStop included' }),
    stop_signal: signal.optional().meta({ description: 'lifecycle.stopSignal (default: the target\'s stop_signal, the image\'s STOPSIGNAL)' }),
    endpoint_delay: duration()
      .default(1000)
      .meta({ description: 'How long new connections keep arriving after the stop begins (endpoint removal lag): `run` plays it, `fuzz` draws up to it' }),
    traffic: z
      .enum(['endpoints', 'readiness'])
      .default('endpoints')
      .meta({ description: 'endpoints: traffic stops after endpoint_delay; readiness: once the readiness probe failed failure_threshold times in a row' }),
    readiness: z
      .strictObject({
        http: z.string().startsWith('/'),
        port: port.optional(),
        period: duration().default(10_000),
        failure_threshold: z.number().int().min(1).default(3),
      })
      .optional()
      .meta({ description: 'readinessProbe (httpGet): periodSeconds, failureThreshold' }),
  })
  .meta({ description: 'The kubelet\'s stop: preStop, stop signal, SIGKILL at the grace period; endpoint removal beside it' });

const systemd = z
  .strictObject({
    model: z.literal('systemd'),
    file: file.meta({ description: 'A systemd unit file (relative to the scenario) to read the [Service] settings from' }),
    exec_stop: z.array(argv).optional().meta({ description: 'ExecStop= commands, run in turn before the kill signal; $MAINPID is filled in' }),
    kill_signal: signal.optional().meta({ description: 'KillSignal= (default SIGTERM)' }),
    kill_mode: z.enum(['control-group', 'mixed', 'process']).optional().meta({ description: 'KillMode= (default control-group)' }),
    send_sighup: z.boolean().optional().meta({ description: 'SendSIGHUP= (default false)' }),
    send_sigkill: z.boolean().optional().meta({ description: 'SendSIGKILL= (default true)' }),
    timeout_stop: duration().optional().meta({ description: 'TimeoutStopSec= (default 90s)' }),
    final_kill_signal: signal.optional().meta({ description: 'FinalKillSignal= (default SIGKILL)' }),
  })
  .meta({ description: 'systemd\'s stop of a service (systemd.kill(5)): KillSignal to KillMode\'s processes, FinalKillSignal after TimeoutStopSec' });

const supervisord = z
  .strictObject({
    model: z.literal('supervisord'),
    file: file.meta({ description: 'A supervisord configuration file (relative to the scenario)' }),
    program: z.string().optional().meta({ description: 'The [program:x] section to read (default: the only one)' }),
    stop_signal: signal.optional().meta({ description: 'stopsignal (default TERM)' }),
    stop_wait: duration().optional().meta({ description: 'stopwaitsecs (default 10)' }),
    stop_as_group: z.boolean().optional().meta({ description: 'stopasgroup: the stop signal to the process group (implies kill_as_group)' }),
    kill_as_group: z.boolean().optional().meta({ description: 'killasgroup: the SIGKILL to the process group' }),
  })
  .meta({ description: 'supervisord\'s stop of a program: stopsignal, SIGKILL after stopwaitsecs' });

export const stop = z.discriminatedUnion('model', [docker, kubernetes, systemd, supervisord]);
export type WrittenStop = z.output<typeof stop>;
