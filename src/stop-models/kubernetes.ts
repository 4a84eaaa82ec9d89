import { z } from 'zod';
import { argv } from '../input/fields/argv.js';
import { duration } from '../input/fields/duration.js';
import { osText } from '../input/fields/os-text.js';
import { port } from '../input/fields/port.js';
import { signal } from '../input/fields/signal.js';
import type { SignalName } from '../signals.js';
import {
  secondsText,
  sourceText,
  writtenOver,
  type ProblemSink,
  type ReadinessProbe,
  type StopDiagnosis,
  type StopFile,
  type StopHook,
  type StopModelDef,
  type StopPlan,
  type StopRecord,
  type TargetStop,
} from './model.js';

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
  readiness?: ReadinessProbe;
  /** Where the settings were read from, when a file was named. */
  source?: string;
}

/** The kubelet's default terminationGracePeriodSeconds. */
const GRACE_MS = 30_000;

/**
 * The kubelet never gives the stop signal less than this before its SIGKILL, even when preStop used up the grace
 * period (kuberuntime's minimumGracePeriodInSeconds).
 */
const KUBERNETES_MIN_GRACE_MS = 2000;

/** A hook run before the stop signal: Kubernetes' preStop `sleep`, `exec` or `httpGet`. */
const hook = z.union([
  z.strictObject({ sleep: duration().meta({ description: 'The hook sleeps this long' }) }),
  z.strictObject({ exec: argv.meta({ description: 'Run in the container (process form: on the host, in the target\'s directory and environment)' }) }),
  z.strictObject({
    http_get: z
      .strictObject({
        path: z.string().startsWith('/').meta({ description: 'The path requested' }),
        port: port.optional().meta({ description: "The port the manifest names; the GET goes to the target's endpoint (the first of `ports`, or the process's port)" }),
      })
      .meta({ description: 'An HTTP GET to the target; the hook ends when it is answered' }),
  }),
]);

const schema = z
  .strictObject({
    model: z.literal('kubernetes'),
    file: osText.optional().meta({ description: 'A Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet or Job manifest (relative to the scenario) to read the settings from' }),
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
        http: z.string().startsWith('/').meta({ description: 'httpGet.path: the path probed' }),
        port: port.optional().meta({
          description:
            "httpGet.port, as the manifest names it; the probe goes to the target's endpoint (the first of `ports`, or the process's port)",
        }),
        period: duration().default(10_000).meta({ description: 'periodSeconds: time between probes' }),
        failure_threshold: z.number().int().min(1).default(3).meta({ description: 'failureThreshold: failed probes in a row before the pod is unready' }),
      })
      .optional()
      .meta({ description: 'readinessProbe (httpGet): periodSeconds, failureThreshold' }),
  })
  .meta({ description: 'The kubelet\'s stop: preStop, stop signal, SIGKILL at the grace period; endpoint removal beside it' });

/** `stop:` of a Kubernetes model as written. */
export type KubernetesWritten = z.output<typeof schema>;

/** What a manifest gives: the written keys it holds, and a readiness probe sigstorm cannot run (said if traffic needs one). */
export type KubernetesFileSettings = KubernetesWritten & { readinessKind?: string };

function resolve(written: KubernetesWritten, file: StopFile<KubernetesFileSettings>, target: TargetStop, problems: ProblemSink): KubernetesStop {
  const w = writtenOver(file.settings, written);
  let readiness: ReadinessProbe | undefined;
  if (w.traffic === 'readiness') {
    if (w.readiness) readiness = { path: w.readiness.http, ...(w.readiness.port !== undefined ? { port: w.readiness.port } : {}), periodMs: w.readiness.period, failureThreshold: w.readiness.failure_threshold };
    else {
      const kind = file.settings.readinessKind ? ` (the manifest's readinessProbe is ${file.settings.readinessKind}, which sigstorm cannot run from outside)` : '';
      problems.at(['stop', 'traffic'], `readiness-driven traffic needs an HTTP readiness probe: \`readiness: { http: /ready }\` here, or readinessProbe.httpGet in the manifest${kind}`);
    }
  }
  return {
    model: 'kubernetes',
    signal: w.stop_signal ?? target.stop_signal,
    graceMs: w.termination_grace_period ?? GRACE_MS,
    ...(w.pre_stop ? { preStop: hookOf(w.pre_stop) } : {}),
    endpointDelayMs: w.endpoint_delay,
    ...(readiness ? { readiness } : {}),
    ...(file.source ? { source: file.source } : {}),
  };
}

function hookOf(h: NonNullable<KubernetesWritten['pre_stop']>): StopHook {
  if ('sleep' in h) return { sleepMs: h.sleep };
  if ('exec' in h) return { exec: h.exec };
  return { httpGet: { path: h.http_get.path, ...(h.http_get.port !== undefined ? { port: h.http_get.port } : {}) } };
}

function plan(s: KubernetesStop): StopPlan {
  return {
    orchestrator: 'kubernetes',
    traffic: s.readiness ? { readiness: s.readiness } : { endpointDelayMs: s.endpointDelayMs },
    hooks: s.preStop ? [{ hook: s.preStop, limitMs: s.graceMs }] : [],
    signals: [{ signal: s.signal, to: 'main' }],
    // The kubelet counts the hook's time in whole seconds, and leaves the signal at least its minimum.
    grace: { ms: s.graceMs, lessHooksInWholeSecondsAtLeastMs: KUBERNETES_MIN_GRACE_MS },
    ending: { waitFor: 'gone', finalKill: { signal: 'SIGKILL', to: 'all' } },
  };
}

function describe(s: KubernetesStop): string {
  const hook = !s.preStop ? 'no preStop' : 'sleepMs' in s.preStop ? `preStop sleep ${secondsText(s.preStop.sleepMs)}` : 'exec' in s.preStop ? `preStop exec ${s.preStop.exec.join(' ')}` : `preStop GET ${s.preStop.httpGet.path}`;
  const traffic = s.readiness
    ? `traffic until readiness ${s.readiness.path} failed ${s.readiness.failureThreshold}× (every ${secondsText(s.readiness.periodMs)})`
    : `endpoints lag up to ${secondsText(s.endpointDelayMs)}`;
  return `kubernetes${sourceText(s)}: ${hook}, ${s.signal}, grace ${secondsText(s.graceMs)}, ${traffic}`;
}

const LOST = ['lost-requests/in-flight-lost', 'lost-requests/truncated'];

/** The Kubernetes settings a record's stop was played with, if any. */
const settingsIn = (stop: StopRecord | undefined): KubernetesStop | undefined => (stop?.settings?.model === 'kubernetes' ? (stop.settings as KubernetesStop) : undefined);

const diagnoses: StopDiagnosis[] = [
  {
    id: 'endpoint-lag',
    reads: 'requests refused or reset after the stop signal while the endpoints of a Kubernetes stop still routed traffic',
    explains: ['lost-requests/endpoint-lag'],
    confidence: 'high',
    when: (c) => c.record.stop?.model === 'kubernetes',
    cause: (c, f) => {
      const stop = c.record.stop!;
      const routed = Math.round(((f.evidence?.routedUntilMs as number | undefined) ?? stop.beganMs) - stop.beganMs);
      const signal = stop.steps.find((s) => s.step === 'signal');
      const at = signal ? `${Math.round(signal.atMs - stop.beganMs)} ms` : 'soon';
      return `The kubelet's stop signal came ${at} after the stop began, but the endpoints kept sending new connections for ${routed} ms, and the service stopped taking them at once.`;
    },
    fix: 'Add a preStop sleep longer than endpoint removal takes (lifecycle.preStop.sleep, a few seconds), or keep accepting connections that long after SIGTERM before draining.',
  },
  {
    id: 'grace-too-short',
    reads: "a Kubernetes stop whose final SIGKILL came while the service drained, its preStop hook using up the grace period",
    explains: [...LOST, 'deadline/*', 'exit-status/killed', 'acked-writes/*'],
    confidence: 'high',
    when: (c) => {
      const stop = c.record.stop;
      if (stop?.model !== 'kubernetes' || !stop.steps.some((s) => s.step === 'final-kill')) return false;
      const hook = stop.steps.find((s) => s.step === 'hook-start');
      const signal = stop.steps.find((s) => s.step === 'signal');
      const settings = settingsIn(stop);
      return hook !== undefined && signal !== undefined && settings !== undefined && signal.atMs - stop.beganMs >= settings.graceMs / 2;
    },
    cause: (c) => {
      const stop = c.record.stop!;
      const grace = settingsIn(stop)?.graceMs ?? 0;
      const signal = stop.steps.find((s) => s.step === 'signal')!;
      const kill = stop.steps.find((s) => s.step === 'final-kill')!;
      return `The grace period (terminationGracePeriodSeconds, ${grace / 1000} s) counts the preStop hook: the stop signal came ${Math.round(signal.atMs - stop.beganMs)} ms into it, leaving ${Math.round(kill.atMs - signal.atMs)} ms to drain before SIGKILL.`;
    },
    fix: 'Size terminationGracePeriodSeconds for the preStop hook plus the longest drain, or shorten the preStop sleep.',
  },
  {
    id: 'prestop-returns-early',
    reads: 'a Kubernetes preStop exec hook that returned at once, the kubelet\'s stop signal right after it, and responses cut while draining',
    explains: [...LOST, 'exit-status/*'],
    confidence: 'medium',
    when: (c) => {
      const stop = c.record.stop;
      const preStop = settingsIn(stop)?.preStop;
      if (!stop || !preStop || !('exec' in preStop)) return false;
      const end = stop.steps.find((s) => s.step === 'hook-end');
      const signal = stop.steps.find((s) => s.step === 'signal');
      return end?.detail === 'exit 0' && signal !== undefined && !/exited/.test(signal.detail ?? '') && c.lostInFlight.length > 0 && c.record.exit.atMs >= signal.atMs;
    },
    cause: (c) => {
      const stop = c.record.stop!;
      const start = stop.steps.find((s) => s.step === 'hook-start')!;
      const end = stop.steps.find((s) => s.step === 'hook-end')!;
      return `The preStop hook started a shutdown and returned ${Math.round(end.atMs - start.atMs)} ms later, before it was done; the kubelet then sent ${c.record.stopSignal} at once, which cut what was still draining.`;
    },
    fix: 'Make the preStop hook wait until the shutdown it starts has finished (e.g. poll until the process is gone), after a sleep as long as endpoint removal takes.',
  },
];

export const kubernetes: StopModelDef<KubernetesStop, KubernetesWritten, KubernetesFileSettings> = {
  name: 'kubernetes',
  schema,
  resolve,
  contract: (s) => ({ signal: s.signal, graceMs: s.graceMs }),
  plan,
  fuzz: (s) => ({
    drawsStop: true,
    ...(s.readiness ? {} : { endpointLagMs: s.endpointDelayMs }),
    ...signalAfter(s),
    longestMs: Math.max(s.graceMs + KUBERNETES_MIN_GRACE_MS, s.readiness ? s.readiness.periodMs * (s.readiness.failureThreshold + 1) : s.endpointDelayMs),
  }),
  describe,
  killer: 'the kubelet',
  stepsInReports: true,
  diagnoses,
};

/** The signal comes at once, or when a preStop sleep is over; after a command or a GET, when those end (unknown before). */
const signalAfter = (s: KubernetesStop): { signalAfterMs?: number } =>
  !s.preStop ? { signalAfterMs: 0 } : 'sleepMs' in s.preStop ? { signalAfterMs: Math.min(s.preStop.sleepMs, s.graceMs) } : {};
