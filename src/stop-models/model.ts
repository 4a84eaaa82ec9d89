import type { z } from 'zod';
import type { KeyPath } from '../input/key-path.js';
import type { SignalName } from '../signals.js';

// A stop model: how the target's orchestrator stops it (`stop: { model: … }`), the whole documented sequence, not a
// signal alone. Each model (docker.ts, kubernetes.ts, systemd.ts, supervisord.ts) implements StopModelDef below and
// registry.ts lists them: the rest of sigstorm asks the registry, and knows no model by name. Plain data, times in ms.

/** A model's settings with every default filled in (its own fields beside these): what the trial plays and the record keeps. */
export interface StopSettings {
  /** The model's name. */
  model: string;
  /** Where the settings were read from, when a file was named. */
  source?: string;
}

/** `stop:` as the scenario writes it, once parsed (ms, "SIGTERM", argv arrays): the model's name, and its other keys. */
export interface WrittenStop {
  model: string;
  /** The file the team keeps the model's settings in (relative to the scenario), for models that read one. */
  file?: string;
}

/** The settings read from the file a scenario's `stop:` names, in the shape of its written keys. */
export interface StopFile<F extends object = object> {
  settings: Partial<F>;
  /** "deploy/web.yaml (container web)": the file as the scenario names it, and the part of it read. */
  source?: string;
}

/** The target's own stop keys, as written: docker stop's settings, and a model's fallback for its stop signal. */
export interface TargetStop {
  stop_signal: SignalName;
  stop_grace_period: number;
}

/** Where a model puts what is wrong with its settings: at a key path of the scenario (ScenarioProblems takes these). */
export interface ProblemSink {
  at(keyPath: KeyPath, message: string): void;
}

/** Run before the stop signal (Kubernetes preStop, systemd ExecStop): sleep, a command in the target's place, or an HTTP GET. */
export type StopHook =
  | { sleepMs: number }
  | { exec: string[] }
  | { httpGet: { path: string; port?: number } };

/** Who an orchestrator signals: the main process, its process group, or every process of the target. */
export type StopRecipient = 'main' | 'group' | 'all';

/** A readiness probe the endpoints follow: an HTTP GET of `path`, every `periodMs` from the stop on. */
export interface ReadinessProbe {
  path: string;
  port?: number;
  periodMs: number;
  /** Traffic stops once it has failed this many times in a row. */
  failureThreshold: number;
}

/**
 * A model's stop sequence as plain data, which the trial plays in order (src/trial/stop-sequence.ts): the traffic
 * rule beside it from the start, the hooks, the signals, then the wait and the ending. Interpreted, never run here.
 */
export interface StopPlan {
  /** How the trial's notes name the orchestrator: "left running by the systemd (KillMode=process)". */
  orchestrator: string;
  /** Beside the sequence, new connections keep arriving until the endpoints drop the target (absent: traffic goes on). */
  traffic?: { endpointDelayMs: number } | { readiness: ReadinessProbe };
  /** Run in turn, each waited for at most `limitMs`; `fillMainPid`: `$MAINPID` and `${MAINPID}` in its words become the main pid. */
  hooks: { hook: StopHook; limitMs: number; fillMainPid?: true }[];
  /** Sent in turn once the hooks are done. */
  signals: { signal: SignalName; to: StopRecipient }[];
  /** None of the signals is sent when they go to the main process and it has exited by then (systemd's mixed, process). */
  skipSignalsOnceMainGone?: true;
  /** How long the orchestrator waits after its signals before the final kill. */
  grace: {
    ms: number;
    /** The kubelet's count: the hooks' time in whole seconds comes off the grace period, which leaves the signal at least this. */
    lessHooksInWholeSecondsAtLeastMs?: number;
  };
  ending: StopEnding;
}

/** How a sequence ends once the grace period is over, or earlier. */
export interface StopEnding {
  /** What the orchestrator waits for: the whole target, or its main process. */
  waitFor: 'gone' | 'main';
  /** Its final kill; absent: it sends none (SendSIGKILL=no). */
  finalKill?: { signal: SignalName; to: StopRecipient };
  /** The final kill goes to what remains as soon as the main process has exited (systemd's KillMode=mixed). */
  killRestAtMainExit?: true;
  /** How long the orchestrator waits after a final signal other than SIGKILL. */
  waitAfterFinalMs?: number;
}

/** What the fuzzer asks a model (fuzz/arbitrary.ts, fuzz/budget.ts). */
export interface FuzzHints {
  /** A schedule holds one stop event, the heart of it, with faults around it (false: the schedule is drawn as without a model). */
  drawsStop: boolean;
  /** The fuzzer draws each trial's endpoint-removal lag up to this (absent: none drawn). */
  endpointLagMs?: number;
  /** How long after the stop begins the stop signal comes, when that is known before the trial. */
  signalAfterMs?: number;
  /** The longest the sequence can take, from its start to its final kill (and the traffic it waits for). */
  longestMs: number;
}

/** One step of a stop sequence, as it happened. */
export interface StopStep {
  step: 'begin' | 'hook-start' | 'hook-end' | 'signal' | 'traffic-stop' | 'probe-failed' | 'main-exit' | 'final-kill' | 'removed';
  atMs: number;
  detail?: string;
  /**
   * The final kill: when the plan said to send it (the grace period's end, counted from the first signal's delivery,
   * or the main process's exit); `atMs` is when it went. Tests and readers check the plan here, not a wall-clock gap.
   */
  dueMs?: number;
  /** A hook's output (its last lines). */
  output?: string[];
}

/** The stop sequence a trial played: which model (and the file its settings came from), and its steps in order. */
export interface StopRecord {
  model: string;
  /** The model's settings as played (absent in records that predate them). */
  settings?: StopSettings;
  source?: string;
  beganMs: number;
  /** How long new connections kept arriving after the stop began (absent: readiness-driven, or no endpoints). */
  endpointDelayMs?: number;
  steps: StopStep[];
}

/**
 * What a model's diagnoses read of a failed trial: the oracles' clues (oracles/clues.ts) as far as they need them,
 * so the models import nothing from the oracles.
 */
export interface StopClues {
  record: {
    stop?: StopRecord;
    stopSignal: SignalName;
    target: { pid: number };
    exit: { atMs: number; lingering: { pid: number }[] };
  };
  /** Requests, streams and writes sent before the first terminating signal and failing after it. */
  lostInFlight: readonly unknown[];
}

/** An entry of the diagnosis catalogue (oracles/diagnoses.ts) that only a model's sequence explains. */
export interface StopDiagnosis {
  id: string;
  reads: string;
  explains: string[];
  confidence: 'high' | 'medium' | 'low';
  when(c: StopClues, f: { evidence?: Record<string, unknown> }): boolean;
  cause: string | ((c: StopClues, f: { evidence?: Record<string, unknown> }) => string);
  fix: string | ((c: StopClues, f: { evidence?: Record<string, unknown> }) => string);
}

/**
 * One stop model. `S`: its settings, `W`: its keys as written, `F`: what its file gives (W's keys, and perhaps more).
 * Its file, if it reads one, is read by files.ts, which keeps the readers apart so the models stay pure.
 */
export interface StopModelDef<S extends StopSettings = StopSettings, W extends WrittenStop = WrittenStop, F extends object = object> {
  /** `stop: { model: <name> }`, and the record's `stop.model`. */
  readonly name: string;
  /** Its keys under `stop:`: a strict object whose `model` is the literal name, described for the JSON Schema. */
  readonly schema: z.ZodType<W>;
  /**
   * Its settings with every default filled in: keys written in the scenario win over those from its file, which win
   * over the orchestrator's defaults. (Without `stop:`, the default model resolves `{ model: <name> }`.)
   */
  resolve(written: W, file: StopFile<F>, target: TargetStop, problems: ProblemSink): S;
  /** The signal it stops the target with, and how long it waits before its final kill. */
  contract(settings: S): { signal: SignalName; graceMs: number };
  plan(settings: S): StopPlan;
  fuzz(settings: S): FuzzHints;
  /** "kubernetes (deploy.yaml (container web)): preStop sleep 6 s, SIGTERM, grace 5 s, endpoints lag up to 1 s" */
  describe(settings: S): string;
  /** Who sends its final kill, as reports and messages name it ("the kubelet"); absent: sigstorm, as for docker stop. */
  readonly killer?: string;
  /** Reports spell its steps out in a section of their own (docker stop's signal and kill need none). */
  readonly stepsInReports: boolean;
  /** Its entries of the diagnosis catalogue, most specific first (they come before the general ones). */
  readonly diagnoses?: readonly StopDiagnosis[];
}

/** "1.5 s": a duration as the models describe it. */
export const secondsText = (ms: number): string => `${+(ms / 1000).toFixed(3)} s`;

/** " (deploy.yaml (container web))" when the settings came from a file, else "". */
export const sourceText = (settings: StopSettings): string => (settings.source ? ` (${settings.source})` : '');

/** The file's settings under the keys written in the scenario (zod leaves optional keys out: none is undefined). */
export const writtenOver = <W extends object>(file: Partial<W>, written: W): W =>
  ({ ...file, ...Object.fromEntries(Object.entries(written).filter(([, v]) => v !== undefined)) }) as W;
