import type { SignalName } from '../signals.js';
import type { ScenarioProblems } from './problems.js';
import type { WrittenStop } from './schema/stop.js';
import type { StopHook, StopModel } from './stop-model.js';

/** The kubelet's default terminationGracePeriodSeconds. */
const KUBERNETES_GRACE_MS = 30_000;
/** systemd's DefaultTimeoutStopSec. */
const SYSTEMD_TIMEOUT_MS = 90_000;
/** supervisord's stopwaitsecs default. */
const SUPERVISORD_WAIT_MS = 10_000;

type WrittenHook = NonNullable<Extract<WrittenStop, { model: 'kubernetes' }>['pre_stop']>;

/**
 * The scenario's `stop:` as a model with every default filled in: keys written in the scenario win over those read
 * from its `file` (`fromFile`, in the same shape), which win over the orchestrator's own defaults. Without `stop:`,
 * `docker stop` with the target's stop_signal and stop_grace_period.
 */
export function resolveStop(
  written: WrittenStop | undefined,
  fromFile: Partial<WrittenStop> & { readinessKind?: string },
  target: { stop_signal: SignalName; stop_grace_period: number },
  problems: ScenarioProblems,
  source?: string,
): StopModel {
  const from = source ? { source } : {};
  if (!written || written.model === 'docker') return { model: 'docker', signal: target.stop_signal, graceMs: target.stop_grace_period };
  switch (written.model) {
    case 'kubernetes': {
      const w = { ...(fromFile as Partial<typeof written>), ...defined(written) } as typeof written;
      let readiness: Extract<StopModel, { model: 'kubernetes' }>['readiness'];
      if (w.traffic === 'readiness') {
        if (w.readiness) readiness = { path: w.readiness.http, ...(w.readiness.port !== undefined ? { port: w.readiness.port } : {}), periodMs: w.readiness.period, failureThreshold: w.readiness.failure_threshold };
        else {
          const kind = fromFile.readinessKind ? ` (the manifest's readinessProbe is ${fromFile.readinessKind}, which sigstorm cannot run from outside)` : '';
          problems.at(['stop', 'traffic'], `readiness-driven traffic needs an HTTP readiness probe: \`readiness: { http: /ready }\` here, or readinessProbe.httpGet in the manifest${kind}`);
        }
      }
      return {
        model: 'kubernetes',
        signal: w.stop_signal ?? target.stop_signal,
        graceMs: w.termination_grace_period ?? KUBERNETES_GRACE_MS,
        ...(w.pre_stop ? { preStop: hook(w.pre_stop) } : {}),
        endpointDelayMs: w.endpoint_delay,
        ...(readiness ? { readiness } : {}),
        ...from,
      };
    }
    case 'systemd': {
      const w = { ...(fromFile as Partial<typeof written>), ...defined(written) } as typeof written;
      return {
        model: 'systemd',
        execStop: w.exec_stop ?? [],
        killSignal: w.kill_signal ?? 'SIGTERM',
        killMode: w.kill_mode ?? 'control-group',
        sendSighup: w.send_sighup ?? false,
        sendSigkill: w.send_sigkill ?? true,
        timeoutStopMs: w.timeout_stop ?? SYSTEMD_TIMEOUT_MS,
        finalKillSignal: w.final_kill_signal ?? 'SIGKILL',
        ...from,
      };
    }
    case 'supervisord': {
      const w = { ...(fromFile as Partial<typeof written>), ...defined(written) } as typeof written;
      const stopAsGroup = w.stop_as_group ?? false;
      return {
        model: 'supervisord',
        stopSignal: w.stop_signal ?? 'SIGTERM',
        stopWaitMs: w.stop_wait ?? SUPERVISORD_WAIT_MS,
        stopAsGroup,
        // supervisord: "stopasgroup … implies killasgroup is true"
        killAsGroup: stopAsGroup || (w.kill_as_group ?? false),
        ...from,
      };
    }
  }
}

function hook(h: WrittenHook): StopHook {
  if ('sleep' in h) return { sleepMs: h.sleep };
  if ('exec' in h) return { exec: h.exec };
  return { httpGet: { path: h.http_get.path, ...(h.http_get.port !== undefined ? { port: h.http_get.port } : {}) } };
}

/** The keys actually given (zod leaves optional keys out, but a file's settings must not be overwritten by undefined). */
const defined = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
