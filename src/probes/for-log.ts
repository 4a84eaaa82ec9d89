import type { Probe } from './probe.js';

/** Ready once the target printed a line containing `text`. */
export function forLog(text: string): Probe {
  return {
    check: async (target) => target.logs.lines.some((l) => l.text.includes(text)),
    waitingFor: () => `log line containing ${JSON.stringify(text)}`,
  };
}
