import { z } from 'zod';
import { argv } from '../input/fields/argv.js';
import { duration } from '../input/fields/duration.js';
import { osText } from '../input/fields/os-text.js';
import { signal } from '../input/fields/signal.js';
import type { SignalName } from '../signals.js';
import { secondsText, sourceText, writtenOver, type StopDiagnosis, type StopFile, type StopModelDef, type StopPlan, type StopRecipient } from './model.js';

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

/** systemd's DefaultTimeoutStopSec. */
const TIMEOUT_MS = 90_000;

const schema = z
  .strictObject({
    model: z.literal('systemd'),
    file: osText.optional().meta({ description: 'A systemd unit file (relative to the scenario) to read the [Service] settings from' }),
    exec_stop: z.array(argv).optional().meta({ description: 'ExecStop= commands, run in turn before the kill signal; $MAINPID is filled in' }),
    kill_signal: signal.optional().meta({ description: 'KillSignal= (default SIGTERM)' }),
    kill_mode: z.enum(['control-group', 'mixed', 'process']).optional().meta({ description: 'KillMode= (default control-group)' }),
    send_sighup: z.boolean().optional().meta({ description: 'SendSIGHUP= (default false)' }),
    send_sigkill: z.boolean().optional().meta({ description: 'SendSIGKILL= (default true)' }),
    timeout_stop: duration().optional().meta({ description: 'TimeoutStopSec= (default 90s)' }),
    final_kill_signal: signal.optional().meta({ description: 'FinalKillSignal= (default SIGKILL)' }),
  })
  .meta({ description: 'systemd\'s stop of a service (systemd.kill(5)): KillSignal to KillMode\'s processes, FinalKillSignal after TimeoutStopSec' });

/** `stop:` of a systemd model as written. */
export type SystemdWritten = z.output<typeof schema>;

function resolve(written: SystemdWritten, file: StopFile<SystemdWritten>): SystemdStop {
  const w = writtenOver(file.settings, written);
  return {
    model: 'systemd',
    execStop: w.exec_stop ?? [],
    killSignal: w.kill_signal ?? 'SIGTERM',
    killMode: w.kill_mode ?? 'control-group',
    sendSighup: w.send_sighup ?? false,
    sendSigkill: w.send_sigkill ?? true,
    timeoutStopMs: w.timeout_stop ?? TIMEOUT_MS,
    finalKillSignal: w.final_kill_signal ?? 'SIGKILL',
    ...(file.source ? { source: file.source } : {}),
  };
}

function plan(s: SystemdStop): StopPlan {
  // KillMode=mixed and process send the kill signal to the main process; control-group to every process.
  const to: StopRecipient = s.killMode === 'control-group' ? 'all' : 'main';
  return {
    orchestrator: `systemd (KillMode=${s.killMode})`,
    hooks: s.execStop.map((command) => ({ hook: { exec: command }, limitMs: s.timeoutStopMs, fillMainPid: true })),
    signals: [
      { signal: s.killSignal, to },
      // systemd.kill(5): "right after sending the signal specified in this setting, systemd will always send SIGCONT"
      ...(s.killSignal !== 'SIGCONT' && s.killSignal !== 'SIGKILL' ? [{ signal: 'SIGCONT' as const, to }] : []),
      ...(s.sendSighup ? [{ signal: 'SIGHUP' as const, to }] : []),
    ],
    ...(to === 'main' ? { skipSignalsOnceMainGone: true } : {}),
    grace: { ms: s.timeoutStopMs },
    ending: {
      waitFor: s.killMode === 'control-group' ? 'gone' : 'main',
      ...(s.sendSigkill ? { finalKill: { signal: s.finalKillSignal, to: s.killMode === 'process' ? 'main' : 'all' } } : {}),
      // mixed: what remains once the main process has exited gets the final kill at once
      ...(s.killMode === 'mixed' ? { killRestAtMainExit: true } : {}),
      waitAfterFinalMs: s.timeoutStopMs,
    },
  };
}

const describe = (s: SystemdStop): string =>
  `systemd${sourceText(s)}: ${s.execStop.length ? `ExecStop ×${s.execStop.length}, ` : ''}KillMode=${s.killMode}, ${s.killSignal}${s.sendSighup ? ' + SIGHUP' : ''}, ${s.sendSigkill ? `${s.finalKillSignal} after ${secondsText(s.timeoutStopMs)}` : `no final kill (waits ${secondsText(s.timeoutStopMs)})`}`;

const diagnoses: StopDiagnosis[] = [
  {
    id: 'killmode-process',
    reads: 'a systemd stop with KillMode=process that left processes of the service running',
    explains: ['handles/orphans', 'deadline/*'],
    confidence: 'high',
    when: (c) => {
      const settings = c.record.stop?.settings;
      return settings?.model === 'systemd' && (settings as SystemdStop).killMode === 'process' && c.record.exit.lingering.some((p) => p.pid !== c.record.target.pid);
    },
    cause: 'KillMode=process: systemd signals the main process alone, and the service exits without stopping the children it started, so they outlive the stop.',
    fix: "Use systemd's default KillMode=control-group (or mixed), or stop the children in the service before it exits.",
  },
];

export const systemd: StopModelDef<SystemdStop, SystemdWritten, SystemdWritten> = {
  name: 'systemd',
  schema,
  resolve,
  contract: (s) => ({ signal: s.killSignal, graceMs: s.timeoutStopMs }),
  plan,
  fuzz: (s) => ({
    drawsStop: true,
    // After ExecStop, the kill signal comes when the commands end: unknown before the trial.
    ...(s.execStop.length === 0 ? { signalAfterMs: 0 } : {}),
    // each ExecStop, the kill signal and, for a final signal other than SIGKILL, one more wait: each up to the timeout
    longestMs: s.timeoutStopMs * (s.execStop.length + (s.finalKillSignal === 'SIGKILL' ? 1 : 2)),
  }),
  describe,
  killer: 'systemd',
  stepsInReports: true,
  diagnoses,
};
