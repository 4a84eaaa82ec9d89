import type { TrialRecord } from '../trial/record.js';

export interface Crash {
  kind: 'go-panic' | 'go-fatal' | 'segfault' | 'node-uncaught';
  description: string;
}

/** Names a runtime crash from the exit status and the target's last output, when it looks like one. */
export function crashSignature(record: Pick<TrialRecord, 'exit' | 'logs'>): Crash | undefined {
  const { status } = record.exit;
  const lines = record.logs.map((l) => l.text);
  const find = (re: RegExp) => lines.find((l) => re.test(l));
  if (status === 2) {
    const panic = find(/^panic: /);
    if (panic) return { kind: 'go-panic', description: `Go panic (exit 2): ${panic.slice(0, 200)}` };
    const fatal = find(/^fatal error: /);
    if (fatal) return { kind: 'go-fatal', description: `Go runtime fatal error (exit 2): ${fatal.slice(0, 200)}` };
  }
  if (status === 139 || record.exit.signal === 'SIGSEGV') return { kind: 'segfault', description: 'segmentation fault (SIGSEGV, 139)' };
  if (status === 1 && lines.some((l) => /^\s+at .+[(:]\d+:\d+\)?$/.test(l))) {
    const error = find(/^(Uncaught )?\w*(Error|Exception)\b.*:/) ?? find(/^\w*Error\b/) ?? 'an exception';
    return { kind: 'node-uncaught', description: `Node uncaught exception (exit 1): ${error.slice(0, 200)}` };
  }
  return undefined;
}
