import { LogBuffer } from '../backends/logs.js';
import type { HookRun, RawExit, Recipient, StartedTarget } from '../backends/target.js';
import type { Player } from '../faults/player.js';
import type { ProcessInfo } from '../host/process-info.js';
import { probeHttp } from '../probes/http-get.js';
import type { SignalName } from '../signals.js';
import type { ReadinessProbe, StopEnding, StopHook, StopPlan, StopRecord, StopSettings, StopStep } from '../stop-models/model.js';
import { stopModelOf } from '../stop-models/registry.js';
import { linkedSignal, MAX_DURATION_MS, now, sleepUntil, within } from '../time.js';

// The one player of a stop model's plan (stop-models/model.ts): the trial hands it the model, it plays the plan's
// steps against the target, in order, and notes each as it happens. It knows no model by name.

/** What a stop sequence acts through: the trial's target and player, and the traffic the endpoints send it. */
export interface StopStage {
  target: StartedTarget;
  /** Plays the sequence's signals as events of the trial (origin `stop`), so the oracles see them. */
  player: Player;
  /** The trial's readiness on the monotonic clock: times in the record count from it. */
  originMs: number;
  /** `stop`: begun by a stop event of the schedule; `teardown`: at the end of the schedule. */
  origin: 'stop' | 'teardown';
  /** Thaws and reconnects the target (a kill cannot reach a frozen container). */
  heal: () => Promise<void>;
  /** No new connections arrive from now on (the endpoints have dropped the target). */
  stopTraffic: () => void;
  abort?: AbortSignal;
}

/** How the sequence ended: like the trial's own wait for the exit, with the steps the orchestrator took. */
export interface StopOutcome {
  raw: RawExit;
  /** When a kill was needed: the orchestrator's final SIGKILL, or sigstorm's removal of what the orchestrator left. */
  killedAtMs?: number;
  /** What was still running then. */
  lingering: ProcessInfo[];
  record: StopRecord;
}

/**
 * Plays `model`'s documented stop sequence from now on, step by step, and waits until the target is gone (or what the
 * orchestrator leaves behind is all that is left, then removed). `endpointDelayMs` is this trial's lag of endpoint
 * removal, for a model whose endpoints lag.
 */
export async function playStop(model: StopSettings, stage: StopStage, endpointDelayMs?: number): Promise<StopOutcome> {
  // One listener on the trial's abort signal (a campaign's trials share it), however many waits below.
  const linked = linkedSignal(stage.abort);
  try {
    return await play(model, stopModelOf(model).plan(model), { ...stage, abort: linked.signal }, endpointDelayMs);
  } finally {
    linked.dispose();
  }
}

/** One playing of a plan: its stage, the steps noted so far, and the moves every step is made of. */
interface Playing {
  stage: StopStage & { abort: AbortSignal };
  steps: StopStep[];
  /** Trial time (ms after readiness) of a monotonic instant, now by default. */
  rel: (ms?: number) => number;
  note: (step: StopStep['step'], detail?: string, extra?: Partial<StopStep>) => void;
  /** Sends a signal as an event of the trial and notes it, dated by its delivery; returns that trial time. */
  signal: (sig: SignalName, to: Recipient, step?: StopStep['step'], extra?: Partial<StopStep>) => Promise<number>;
  /** Waits until `untilMs` (trial time) for the main process to exit. */
  mainExits: (untilMs: number) => Promise<boolean>;
}

function playing(stage: StopStage & { abort: AbortSignal }, steps: StopStep[]): Playing {
  const { target, player, originMs, abort } = stage;
  const rel = (ms = now()) => ms - originMs;
  return {
    stage,
    steps,
    rel,
    note: (step, detail, extra = {}) => steps.push({ step, atMs: rel(), ...(detail ? { detail } : {}), ...extra }),
    signal: async (sig, to, step = 'signal', extra = {}) => {
      const played = await player.playNow({ at: 0, kind: 'signal', signal: sig, to }, stage.origin);
      const atMs = played.deliveredMs ?? rel();
      steps.push({ step, atMs, detail: `${sig}→${to}${played.error ? ` (${played.error})` : ''}`, ...extra });
      return atMs;
    },
    mainExits: async (untilMs) => (await within(target.exited, originMs + untilMs - now(), abort)) !== undefined,
  };
}

async function play(settings: StopSettings, plan: StopPlan, stage: StopStage & { abort: AbortSignal }, endpointDelayMs?: number): Promise<StopOutcome> {
  const { target } = stage;
  const beganMs = now() - stage.originMs;
  const steps: StopStep[] = [{ step: 'begin', atMs: beganMs }];
  const record: StopRecord = { model: settings.model, settings, ...(settings.source ? { source: settings.source } : {}), beganMs, steps };
  const p = playing(stage, steps);

  // Endpoint removal runs beside the sequence: traffic keeps arriving until it has propagated.
  let traffic: Promise<void> = Promise.resolve();
  if (plan.traffic && 'readiness' in plan.traffic) {
    traffic = readinessDriven(plan.traffic.readiness, target, stage, p.note);
    record.endpointDelayMs = undefined;
  } else if (plan.traffic) {
    const delayMs = endpointDelayMs ?? plan.traffic.endpointDelayMs;
    traffic = delayed(delayMs, stage, p.note);
    record.endpointDelayMs = delayMs;
  }

  const hooksBegan = now();
  const mainPid = String(target.pid);
  for (const { hook, limitMs, fillMainPid } of plan.hooks) {
    await runHook(p, hook, limitMs, fillMainPid ? (arg) => arg.replaceAll('${MAINPID}', mainPid).replaceAll('$MAINPID', mainPid) : undefined);
  }
  const hooksMs = now() - hooksBegan;
  // The grace period runs from the first signal's delivery, as the orchestrator's timer starts when it sends it: not
  // from when sigstorm saw the last one confirmed, which a loaded machine puts later.
  let signalledMs: number | undefined;
  if (!(plan.skipSignalsOnceMainGone && target.mainExit)) {
    for (const { signal, to } of plan.signals) {
      const atMs = await p.signal(signal, to);
      signalledMs ??= atMs;
    }
  }
  let graceMs = plan.grace.ms;
  const least = plan.grace.lessHooksInWholeSecondsAtLeastMs;
  if (least !== undefined) graceMs = Math.max(graceMs - Math.floor(hooksMs / 1000) * 1000, least);

  const outcome = await end(p, plan, (signalledMs ?? p.rel()) + graceMs);
  await traffic;
  // A signal's step is dated by its delivery but noted once that is confirmed: put the steps in the order they happened.
  steps.sort((a, b) => a.atMs - b.atMs);
  return { ...outcome, record };
}

/** Runs a hook for at most `limitMs`, noting its start and its end (with its last lines of output). */
async function runHook(p: Playing, spec: StopHook, limitMs: number, fill: (arg: string) => string = (a) => a): Promise<void> {
  const { target, abort } = p.stage;
  const what = 'sleepMs' in spec ? `sleep ${spec.sleepMs} ms` : 'exec' in spec ? spec.exec.map(fill).join(' ') : `GET ${spec.httpGet.path}`;
  p.note('hook-start', what);
  const logs = new LogBuffer(50);
  const cut = new AbortController();
  const onAbort = () => cut.abort();
  abort.addEventListener('abort', onAbort, { once: true });
  const timer = sleepUntil(now() + limitMs, cut.signal).then(() => cut.abort());
  let run: HookRun;
  try {
    run = await startHook(spec, target, logs, cut.signal, fill);
  } finally {
    cut.abort();
    abort.removeEventListener('abort', onAbort);
    await timer;
  }
  logs.flush();
  const ended = run.exitCode !== null ? `exit ${run.exitCode}` : (run.error ?? 'ended');
  const cutShort = abort.aborted ? 'cut short: sigstorm was interrupted' : `still running after ${Math.round(limitMs)} ms: no longer waited for`;
  p.note('hook-end', ended === 'still running' ? cutShort : ended, {
    ...(logs.lines.length ? { output: logs.lines.map((l) => l.text) } : {}),
  });
}

function startHook(spec: StopHook, target: StartedTarget, logs: LogBuffer, cut: AbortSignal, fill: (a: string) => string): Promise<HookRun> {
  if ('sleepMs' in spec) return sleepUntil(now() + spec.sleepMs, cut).then(() => (cut.aborted ? { exitCode: null, error: 'still running' } : { exitCode: 0 }));
  if ('exec' in spec) return target.hook(spec.exec.map(fill), logs, cut);
  const endpoint = target.endpoint;
  if (!endpoint) return Promise.resolve({ exitCode: null, error: 'the target has no HTTP endpoint' });
  return within(probeHttp(endpoint.host, endpoint.port, spec.httpGet.path), MAX_DURATION_MS, cut).then((ok) =>
    ok === undefined ? { exitCode: null, error: 'still running' } : ok ? { exitCode: 0 } : { exitCode: null, error: 'the GET failed' },
  );
}

/** How the sequence is ending: the exit once seen, and what a kill found still running. */
interface Ended {
  raw?: RawExit;
  killedAtMs?: number;
  lingering: ProcessInfo[];
}

/**
 * Waits for the target as the orchestrator does until `deadlineMs` (trial time), sends its final kill when that
 * passes, and removes what it leaves behind (recorded as lingering: the orchestrator would have left it running).
 */
async function end(p: Playing, plan: StopPlan, deadlineMs: number): Promise<Omit<StopOutcome, 'record'>> {
  const { target, originMs, abort } = p.stage;
  const e = plan.ending;
  const deadline = abort.aborted ? p.rel() : deadlineMs;
  const ended: Ended = { lingering: [] };
  if (e.waitFor === 'gone') {
    ended.raw = await target.waitGone(originMs + deadline, abort);
    if (!ended.raw) await finalKill(p, e, ended, deadline);
  } else if (await p.mainExits(deadline)) {
    // dated when it happened: during a hook (ExecStop that signals it), before the wait for it began
    const exitedMs = p.rel(target.mainExit!.atMs);
    p.steps.push({ step: 'main-exit', atMs: exitedMs, detail: `status ${describeExit(target.mainExit!)}` });
    ended.raw = await target.waitGone(now(), abort);
    if (!ended.raw && e.killRestAtMainExit) await finalKill(p, e, ended, exitedMs);
    // What the orchestrator does not kill may still end by itself before its deadline.
    else if (!ended.raw) ended.raw = await target.waitGone(originMs + deadline, abort);
  } else {
    await finalKill(p, e, ended, deadline);
  }
  // Whatever the orchestrator left running: sigstorm removes it, and the record says it was left.
  const gone = ended.raw && (await target.waitGone(now(), abort));
  if (!gone) {
    await p.stage.heal();
    if (ended.killedAtMs === undefined || ended.lingering.length === 0) {
      ended.lingering = target.processes();
      ended.killedAtMs ??= p.rel();
    }
    p.note('removed', `left running by the ${plan.orchestrator}: ${ended.lingering.map((q) => `${q.comm} (${q.pid})`).join(', ') || 'nothing seen'}; sigstorm removes it`);
    ended.raw = await target.kill();
  }
  return { raw: ended.raw!, ...(ended.killedAtMs !== undefined ? { killedAtMs: ended.killedAtMs } : {}), lingering: ended.lingering };
}

/** The orchestrator's final kill, if it sends one (due at `dueMs`, trial time), and the wait for what it reaches. */
async function finalKill(p: Playing, e: StopEnding, ended: Ended, dueMs: number): Promise<void> {
  if (!e.finalKill) return;
  const { target, abort } = p.stage;
  const { signal, to } = e.finalKill;
  await p.stage.heal();
  ended.lingering = target.processes();
  ended.killedAtMs = p.rel();
  if (to === 'all' && signal === 'SIGKILL') {
    p.note('final-kill', `${signal}→${to}`, { dueMs });
    ended.raw = await target.kill();
  } else {
    await p.signal(signal, to, 'final-kill', { dueMs });
    const waitMs = signal === 'SIGKILL' ? 5000 : (e.waitAfterFinalMs ?? 5000);
    ended.raw = await target.waitGone(now() + (to === 'all' ? waitMs : 0), abort);
    if (!ended.raw && (await p.mainExits(p.rel() + waitMs))) ended.raw = target.mainExit;
  }
}

/** Endpoints: new connections stop arriving `delayMs` after the stop began. */
async function delayed(delayMs: number, stage: StopStage, note: (step: StopStep['step'], detail?: string) => void): Promise<void> {
  await sleepUntil(now() + delayMs, stage.abort);
  stage.stopTraffic();
  note('traffic-stop', `endpoints removed after ${Math.round(delayMs)} ms`);
}

/** Readiness: the probe runs every period from the stop on; traffic stops at its failureThreshold-th failure in a row. */
async function readinessDriven(probe: ReadinessProbe, target: StartedTarget, stage: StopStage, note: (step: StopStep['step'], detail?: string) => void): Promise<void> {
  const began = now();
  for (let k = 1, failures = 0; !stage.abort?.aborted; k++) {
    await sleepUntil(began + k * probe.periodMs, stage.abort);
    const endpoint = target.endpoint;
    const ok = endpoint !== undefined && target.mainExit === undefined && (await probeHttp(endpoint.host, endpoint.port, probe.path));
    failures = ok ? 0 : failures + 1;
    if (!ok) note('probe-failed', `readiness ${probe.path}: ${failures} of ${probe.failureThreshold}`);
    if (failures >= probe.failureThreshold) break;
  }
  stage.stopTraffic();
  note('traffic-stop', `readiness failed ${probe.failureThreshold} times in a row`);
}

const describeExit = (raw: RawExit) => (raw.exitCode !== null ? String(raw.exitCode) : (raw.signal ?? '?'));
