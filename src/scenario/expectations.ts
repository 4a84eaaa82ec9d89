import { normalizeSignal, statusForSignal, type SignalName } from '../signals.js';
import type { ScenarioProblems } from './problems.js';
import type { ParsedScenario } from './schema/scenario.js';
import type { Scenario, SignalExpectation } from './types.js';

/** The expectations written under `expect`, keyed by signal name; a key that names no signal is a problem. */
export function declaredExpectations(
  written: ParsedScenario['expect'],
  grace: number,
  problems: ScenarioProblems,
  at: (string | number)[] = ['expect'],
): Scenario['expect'] {
  const expect: Scenario['expect'] = {};
  for (const [key, value] of Object.entries(written)) {
    const name = normalizeSignal(key);
    if (!name) {
      problems.at([...at, key], 'expected a signal name such as SIGTERM, SIGINT or SIGHUP', true);
      continue;
    }
    expect[name] = toExpectation(value, grace);
  }
  return expect;
}

function toExpectation(e: ParsedScenario['expect'][string], grace: number): SignalExpectation {
  return e.alive ? { kind: 'alive', settle: e.settle } : { kind: 'exit', exit: e.exit!, within: e.within ?? grace };
}

/**
 * Like `docker stop`: the stop signal (and SIGTERM/SIGINT) must end the target cleanly within the grace period.
 * These judge the schedules a user writes (`run`, `--events`); a campaign sends only its fault space.
 */
export function withDefaultExpectations(declared: Scenario['expect'], grace: number, stopSignal: SignalName): Scenario['expect'] {
  const out = { ...declared };
  for (const sig of new Set<SignalName>([stopSignal, 'SIGTERM', 'SIGINT'])) {
    out[sig] ??= { kind: 'exit', exit: [0, statusForSignal(sig)], within: grace };
  }
  return out;
}
