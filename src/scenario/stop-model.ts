import type { SignalName } from '../signals.js';

// How the target's orchestrator stops it: the whole documented sequence, not a signal alone. Plain data, times in ms.

/** Run before the stop signal (Kubernetes preStop, systemd ExecStop): sleep, a command in the target's place, or an HTTP GET. */
export type StopHook =
  | { sleepMs: number }
  | { exec: string[] }
  | { httpGet: { path: string; port?: number } };

/** `docker stop -t`: the stop signal to PID 1, SIGKILL after the grace period. */
export interface DockerStop {
  model: 'docker';
  signal: SignalName;
  graceMs: number;
}

/**
 * The kubelet's sequence: preStop (bounded by the grace period), the stop signal to PID 1, SIGKILL once the grace
 * period is over (at least 2 s after the signal). Endpoint removal runs beside it: new connections keep arriving
 * for `endpointDelayMs`, or until the readiness probe has failed `failureThreshold` times in a row.
 */
export interface KubernetesStop {
  model: 'kubernetes';
  /** lifecycle.stopSignal, or the image's STOPSIGNAL (the target's stop_signal). */
  signal: SignalName;
  /** terminationGracePeriodSeconds: counted from the start of the stop, preStop included. */
  graceMs: number;
  preStop?: StopHook;
  /** The longest time new connections keep arriving after the stop begins: `run` plays it, the fuzzer draws up to it. */
  endpointDelayMs: number;
  /** Traffic stops once this probe failed `failureThreshold` times in a row (from the stop on, every `periodMs`). */
  readiness?: { path: string; port?: number; periodMs: number; failureThreshold: number };
  /** Where the settings were read from, when a file was named. */
  source?: string;
}

/** systemd's stop of a service (systemd.kill(5), systemd.service(5)). */
export interface SystemdStop {
  model: 'systemd';
  /** ExecStop= commands, run in turn before the kill signal ($MAINPID filled in). */
  execStop: string[][];
  killSignal: SignalName;
  /** control-group: every process; mixed: KillSignal to the main one, the final kill to all; process: the main one only. */
  killMode: 'control-group' | 'mixed' | 'process';
  sendSighup: boolean;
  sendSigkill: boolean;
  timeoutStopMs: number;
  finalKillSignal: SignalName;
  source?: string;
}

/** supervisord's stop of a program: stopsignal, then SIGKILL after stopwaitsecs; to the process or its group. */
export interface SupervisordStop {
  model: 'supervisord';
  stopSignal: SignalName;
  stopWaitMs: number;
  stopAsGroup: boolean;
  /** Implied by stopAsGroup. */
  killAsGroup: boolean;
  source?: string;
}

export type StopModel = DockerStop | KubernetesStop | SystemdStop | SupervisordStop;
export type StopModelName = StopModel['model'];

/**
 * The kubelet never gives the stop signal less than this before its SIGKILL, even when preStop used up the grace
 * period (kuberuntime's minimumGracePeriodInSeconds).
 */
export const KUBERNETES_MIN_GRACE_MS = 2000;

/** The signal the model stops the target with, and how long it waits before its final kill. */
export function stopContractOf(model: StopModel): { signal: SignalName; graceMs: number } {
  switch (model.model) {
    case 'docker':
    case 'kubernetes':
      return { signal: model.signal, graceMs: model.graceMs };
    case 'systemd':
      return { signal: model.killSignal, graceMs: model.timeoutStopMs };
    case 'supervisord':
      return { signal: model.stopSignal, graceMs: model.stopWaitMs };
  }
}

/** How long after the stop begins the model sends its stop signal, when that is known before the trial. */
export function stopSignalAfterMs(model: StopModel): number | undefined {
  switch (model.model) {
    case 'docker':
    case 'supervisord':
      return 0;
    case 'kubernetes':
      return !model.preStop ? 0 : 'sleepMs' in model.preStop ? Math.min(model.preStop.sleepMs, model.graceMs) : undefined;
    case 'systemd':
      return model.execStop.length === 0 ? 0 : undefined;
  }
}

/** "kubernetes (deploy.yaml (container web)): preStop sleep 6 s, SIGTERM, grace 5 s, endpoints lag up to 1 s" */
export function describeStopModel(model: StopModel): string {
  const s = (ms: number) => `${+(ms / 1000).toFixed(3)} s`;
  const from = 'source' in model && model.source ? ` (${model.source})` : '';
  switch (model.model) {
    case 'docker':
      return `docker: ${model.signal}, SIGKILL after ${s(model.graceMs)}`;
    case 'kubernetes': {
      const hook = !model.preStop ? 'no preStop' : 'sleepMs' in model.preStop ? `preStop sleep ${s(model.preStop.sleepMs)}` : 'exec' in model.preStop ? `preStop exec ${model.preStop.exec.join(' ')}` : `preStop GET ${model.preStop.httpGet.path}`;
      const traffic = model.readiness
        ? `traffic until readiness ${model.readiness.path} failed ${model.readiness.failureThreshold}× (every ${s(model.readiness.periodMs)})`
        : `endpoints lag up to ${s(model.endpointDelayMs)}`;
      return `kubernetes${from}: ${hook}, ${model.signal}, grace ${s(model.graceMs)}, ${traffic}`;
    }
    case 'systemd':
      return `systemd${from}: ${model.execStop.length ? `ExecStop ×${model.execStop.length}, ` : ''}KillMode=${model.killMode}, ${model.killSignal}${model.sendSighup ? ' + SIGHUP' : ''}, ${model.sendSigkill ? `${model.finalKillSignal} after ${s(model.timeoutStopMs)}` : `no final kill (waits ${s(model.timeoutStopMs)})`}`;
    case 'supervisord':
      return `supervisord${from}: ${model.stopSignal}${model.stopAsGroup ? ' to the group' : ''}, SIGKILL${model.killAsGroup ? ' to the group' : ''} after ${s(model.stopWaitMs)}`;
  }
}

/** The longest a model's stop sequence can take, from its start to its final kill (and the traffic it waits for). */
export function longestStopMs(model: StopModel): number {
  switch (model.model) {
    case 'docker':
      return model.graceMs;
    case 'kubernetes': {
      const traffic = model.readiness ? model.readiness.periodMs * (model.readiness.failureThreshold + 1) : model.endpointDelayMs;
      return Math.max(model.graceMs + KUBERNETES_MIN_GRACE_MS, traffic);
    }
    case 'systemd':
      // each ExecStop, the kill signal and, for a final signal other than SIGKILL, one more wait: each up to the timeout
      return model.timeoutStopMs * (model.execStop.length + (model.finalKillSignal === 'SIGKILL' ? 1 : 2));
    case 'supervisord':
      return model.stopWaitMs;
  }
}
