import { LogBuffer } from '../backends/logs.js';
import type { HookRun, RawExit, Recipient, StartedTarget } from '../backends/target.js';
import type { Player } from '../faults/player.js';
import type { ProcessInfo } from '../host/process-info.js';
import { probeHttp } from '../probes/http-get.js';
import { KUBERNETES_MIN_GRACE_MS, type StopHook, type StopModel, type SystemdStop } from '../scenario/stop-model.js';
import type { SignalName } from '../signals.js';
import { MAX_DURATION_MS, now, sleepUntil, within } from '../time.js';
import type { StopRecord, StopStep } from './record.js';

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
 * orchestrator leaves behind is all that is left, then removed). `endpointDelayMs` (Kubernetes) is this trial's lag
 * of endpoint removal.
 */
export async function playStop(model: StopModel, stage: StopStage, endpointDelayMs?: number): Promise<StopOutcome> {
  // One listener on the trial's abort signal (a campaign's trials share it), however many waits below.
  const local = new AbortController();
  const onAbort = () => local.abort();
  stage.abort?.addEventListener('abort', onAbort, { once: true });
  if (stage.abort?.aborted) local.abort();
  try {
    return await sequence(model, { ...stage, abort: local.signal }, endpointDelayMs);
  } finally {
    stage.abort?.removeEventListener('abort', onAbort);
  }
}

async function sequence(model: StopModel, stage: StopStage & { abort: AbortSignal }, endpointDelayMs?: number): Promise<StopOutcome> {
  const { target, player, originMs, abort } = stage;
  const rel = (ms = now()) => ms - originMs;
  const beganMs = rel();
  const steps: StopStep[] = [{ step: 'begin', atMs: beganMs }];
  const record: StopRecord = { model: model.model, settings: model, ...('source' in model && model.source ? { source: model.source } : {}), beganMs, steps };
  const note = (step: StopStep['step'], detail?: string, extra: Partial<StopStep> = {}) =>
    steps.push({ step, atMs: rel(), ...(detail ? { detail } : {}), ...extra });

  const signal = async (sig: SignalName, to: Recipient, step: StopStep['step'] = 'signal') => {
    const played = await player.playNow({ at: 0, kind: 'signal', signal: sig, to }, stage.origin);
    steps.push({ step, atMs: played.deliveredMs ?? rel(), detail: `${sig}→${to}${played.error ? ` (${played.error})` : ''}` });
  };
  /** Waits until `untilMs` (trial time) for the main process to exit. */
  const mainExits = async (untilMs: number) => (await within(target.exited, originMs + untilMs - now(), abort)) !== undefined;
  const hook = async (spec: StopHook, limitMs: number, fill: (arg: string) => string = (a) => a): Promise<void> => {
    const what = 'sleepMs' in spec ? `sleep ${spec.sleepMs} ms` : 'exec' in spec ? spec.exec.map(fill).join(' ') : `GET ${spec.httpGet.path}`;
    note('hook-start', what);
    const logs = new LogBuffer(50);
    const cut = new AbortController();
    const onAbort = () => cut.abort();
    abort.addEventListener('abort', onAbort, { once: true });
    const timer = sleepUntil(now() + limitMs, cut.signal).then(() => cut.abort());
    let run: HookRun;
    try {
      run = await runHook(spec, target, logs, cut.signal, fill);
    } finally {
      cut.abort();
      abort.removeEventListener('abort', onAbort);
      await timer;
    }
    logs.flush();
    const ended = run.exitCode !== null ? `exit ${run.exitCode}` : (run.error ?? 'ended');
    const cutShort = abort.aborted ? 'cut short: sigstorm was interrupted' : `still running after ${Math.round(limitMs)} ms: no longer waited for`;
    note('hook-end', ended === 'still running' ? cutShort : ended, {
      ...(logs.lines.length ? { output: logs.lines.map((l) => l.text) } : {}),
    });
  };

  // Endpoint removal runs beside the sequence: traffic keeps arriving until it has propagated.
  let traffic: Promise<void> = Promise.resolve();
  if (model.model === 'kubernetes') {
    traffic = model.readiness ? readinessDriven(model.readiness, target, stage, note) : delayed(endpointDelayMs ?? model.endpointDelayMs, stage, note);
    record.endpointDelayMs = model.readiness ? undefined : (endpointDelayMs ?? model.endpointDelayMs);
  }

  let ending: Ending;
  switch (model.model) {
    case 'docker': {
      await signal(model.signal, 'main');
      ending = { deadlineMs: rel() + model.graceMs, waitFor: 'gone', finalKill: 'all', finalSignal: 'SIGKILL' };
      break;
    }
    case 'kubernetes': {
      let graceMs = model.graceMs;
      if (model.preStop) {
        const started = now();
        await hook(model.preStop, model.graceMs);
        // The kubelet counts the hook's time in whole seconds, and leaves the signal at least its minimum.
        graceMs -= Math.floor((now() - started) / 1000) * 1000;
      }
      graceMs = Math.max(graceMs, KUBERNETES_MIN_GRACE_MS);
      await signal(model.signal, 'main');
      ending = { deadlineMs: rel() + graceMs, waitFor: 'gone', finalKill: 'all', finalSignal: 'SIGKILL' };
      break;
    }
    case 'systemd':
      ending = await systemdKill(model);
      break;
    case 'supervisord': {
      await signal(model.stopSignal, model.stopAsGroup ? 'group' : 'main');
      const group = model.stopAsGroup || model.killAsGroup;
      ending = { deadlineMs: rel() + model.stopWaitMs, waitFor: 'main', finalKill: group ? 'group' : 'main', finalSignal: 'SIGKILL' };
      break;
    }
  }
  const outcome = await end(ending);
  await traffic;
  // A signal's step is dated by its delivery but noted once that is confirmed: put the steps in the order they happened.
  steps.sort((a, b) => a.atMs - b.atMs);
  return { ...outcome, record };

  async function systemdKill(m: SystemdStop): Promise<Ending> {
    const mainPid = String(target.pid);
    for (const command of m.execStop) {
      await hook({ exec: command }, m.timeoutStopMs, (arg) => arg.replaceAll('${MAINPID}', mainPid).replaceAll('$MAINPID', mainPid));
    }
    // KillMode=mixed and process send the kill signal to the main process; control-group to every process.
    const to: Recipient = m.killMode === 'control-group' ? 'all' : 'main';
    if (!(to === 'main' && target.mainExit)) {
      await signal(m.killSignal, to);
      // systemd.kill(5): "right after sending the signal specified in this setting, systemd will always send SIGCONT"
      if (m.killSignal !== 'SIGCONT' && m.killSignal !== 'SIGKILL') await signal('SIGCONT', to);
      if (m.sendSighup) await signal('SIGHUP', to);
    }
    return {
      deadlineMs: rel() + m.timeoutStopMs,
      // mixed: what remains once the main process has exited gets the final kill at once
      waitFor: m.killMode === 'control-group' ? 'gone' : 'main',
      finalKill: m.sendSigkill ? (m.killMode === 'process' ? 'main' : 'all') : undefined,
      finalSignal: m.finalKillSignal,
      ...(m.killMode === 'mixed' ? { killRestAtMainExit: true } : {}),
      graceAfterFinalMs: m.timeoutStopMs,
    };
  }

  /**
   * Waits for the target as the orchestrator does, sends its final kill when the deadline passes, and removes what
   * it leaves behind (recorded as lingering: the orchestrator would have left it running).
   */
  async function end(e: Ending): Promise<Omit<StopOutcome, 'record'>> {
    const deadline = abort.aborted ? rel() : e.deadlineMs;
    let raw: RawExit | undefined;
    let lingering: ProcessInfo[] = [];
    let killedAtMs: number | undefined;
    const finalKill = async () => {
      if (!e.finalKill) return;
      await stage.heal();
      lingering = target.processes();
      killedAtMs = rel();
      if (e.finalKill === 'all' && e.finalSignal === 'SIGKILL') {
        note('final-kill', `${e.finalSignal}→${e.finalKill}`);
        raw = await target.kill();
      } else {
        await signal(e.finalSignal, e.finalKill, 'final-kill');
        const waitMs = e.finalSignal === 'SIGKILL' ? 5000 : (e.graceAfterFinalMs ?? 5000);
        raw = await target.waitGone(now() + (e.finalKill === 'all' ? waitMs : 0), abort);
        if (!raw && (await mainExits(rel() + waitMs))) raw = target.mainExit;
      }
    };
    if (e.waitFor === 'gone') {
      raw = await target.waitGone(originMs + deadline, abort);
      if (!raw) await finalKill();
    } else if (await mainExits(deadline)) {
      // dated when it happened: during a hook (ExecStop that signals it), before the wait for it began
      steps.push({ step: 'main-exit', atMs: rel(target.mainExit!.atMs), detail: `status ${describeExit(target.mainExit!)}` });
      raw = await target.waitGone(now(), abort);
      if (!raw && e.killRestAtMainExit) await finalKill();
      // What the orchestrator does not kill may still end by itself before its deadline.
      else if (!raw) raw = await target.waitGone(originMs + deadline, abort);
    } else {
      await finalKill();
    }
    // Whatever the orchestrator left running: sigstorm removes it, and the record says it was left.
    const gone = raw && (await target.waitGone(now(), abort));
    if (!gone) {
      await stage.heal();
      if (killedAtMs === undefined || lingering.length === 0) {
        lingering = target.processes();
        killedAtMs ??= rel();
      }
      note('removed', `left running by the ${describeModel(model)}: ${lingering.map((p) => `${p.comm} (${p.pid})`).join(', ') || 'nothing seen'}; sigstorm removes it`);
      raw = await target.kill();
    }
    return { raw: raw!, ...(killedAtMs !== undefined ? { killedAtMs } : {}), lingering };
  }
}

interface Ending {
  /** When the orchestrator gives up waiting (trial time). */
  deadlineMs: number;
  /** What it waits for: the whole target, or its main process. */
  waitFor: 'gone' | 'main';
  /** Who gets the final kill; undefined when it sends none (SendSIGKILL=no). */
  finalKill: Recipient | undefined;
  finalSignal: SignalName;
  /** systemd KillMode=mixed: the final kill goes to what remains as soon as the main process has exited. */
  killRestAtMainExit?: true;
  /** How long the orchestrator waits after a final signal other than SIGKILL. */
  graceAfterFinalMs?: number;
}

function runHook(spec: StopHook, target: StartedTarget, logs: LogBuffer, cut: AbortSignal, fill: (a: string) => string): Promise<HookRun> {
  if ('sleepMs' in spec) return sleepUntil(now() + spec.sleepMs, cut).then(() => (cut.aborted ? { exitCode: null, error: 'still running' } : { exitCode: 0 }));
  if ('exec' in spec) return target.hook(spec.exec.map(fill), logs, cut);
  const endpoint = target.endpoint;
  if (!endpoint) return Promise.resolve({ exitCode: null, error: 'the target has no HTTP endpoint' });
  return within(probeHttp(endpoint.host, endpoint.port, spec.httpGet.path), MAX_DURATION_MS, cut).then((ok) =>
    ok === undefined ? { exitCode: null, error: 'still running' } : ok ? { exitCode: 0 } : { exitCode: null, error: 'the GET failed' },
  );
}

/** Endpoints: new connections stop arriving `delayMs` after the stop began. */
async function delayed(delayMs: number, stage: StopStage, note: (step: StopStep['step'], detail?: string) => void): Promise<void> {
  await sleepUntil(now() + delayMs, stage.abort);
  stage.stopTraffic();
  note('traffic-stop', `endpoints removed after ${Math.round(delayMs)} ms`);
}

/** Readiness: the probe runs every period from the stop on; traffic stops at its failureThreshold-th failure in a row. */
async function readinessDriven(
  probe: NonNullable<Extract<StopModel, { model: 'kubernetes' }>['readiness']>,
  target: StartedTarget,
  stage: StopStage,
  note: (step: StopStep['step'], detail?: string) => void,
): Promise<void> {
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
const describeModel = (model: StopModel) => (model.model === 'systemd' ? `systemd (KillMode=${model.killMode})` : model.model);
