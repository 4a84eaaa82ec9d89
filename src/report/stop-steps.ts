import { signedMs } from '../time.js';
import type { StopRecord, StopStep } from '../trial/record.js';

/** The stop sequence a trial played, one line per step: "+500 ms stop: kubernetes (deploy.yaml (container web))", then its steps. */
export function describeStop(stop: StopRecord): string[] {
  const lag = stop.endpointDelayMs !== undefined ? `, endpoints lag ${Math.round(stop.endpointDelayMs)} ms` : '';
  const head = `${signedMs(stop.beganMs)} stop: ${stop.model}${stop.source ? ` (${stop.source}${lag})` : lag ? ` (${lag.slice(2)})` : ''}`;
  const steps = stop.steps
    .filter((s) => s.step !== 'begin')
    .map((s) => `  ${signedMs(s.atMs)} ${STEP_NAMES[s.step]}${s.detail ? ` ${s.detail}` : ''}${s.output?.length ? ` — output: ${s.output.slice(-3).join(' | ')}` : ''}`);
  return [head, ...steps];
}

const STEP_NAMES: Record<StopStep['step'], string> = {
  begin: 'stop begins',
  'hook-start': 'hook starts:',
  'hook-end': 'hook ends:',
  signal: 'signal',
  'traffic-stop': 'traffic stops:',
  'probe-failed': 'probe failed:',
  'main-exit': 'main process exited:',
  'final-kill': 'final kill',
  removed: 'left behind:',
};
