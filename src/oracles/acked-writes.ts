import { firstTerminating } from './terminating.js';
import type { Oracle } from './verdict.js';

/** Every write the target acknowledged (2xx) is in its read-back file once it is gone. */
export const ackedWrites: Oracle = (record) => {
  const acked = record.ledger.filter((e) => e.kind === 'write' && e.outcome === 'ok');
  if (!record.readback || acked.length === 0) return [];
  const stored = new Set(record.readback.ids);
  const missing = acked.filter((e) => e.writeId !== undefined && !stored.has(e.writeId));
  const first = firstTerminating(record);
  if (missing.length === 0) {
    return [{ oracle: 'acked-writes', verdict: 'pass', message: `all ${acked.length} acknowledged writes are in ${record.readback.file}` }];
  }
  const rel = (ms: number) => (first ? Math.round(ms - first.deliveredMs!) : Math.round(ms));
  const last = missing.at(-1)!;
  return [
    {
      oracle: 'acked-writes',
      verdict: 'fail',
      kind: 'acked-lost',
      message:
        `${missing.length} of ${acked.length} acknowledged writes missing from ${record.readback.file}` +
        `${record.readback.error ? ` (${record.readback.error})` : ''}; the last was acknowledged ` +
        `${Math.abs(rel(last.endMs))} ms ${rel(last.endMs) < 0 ? 'before' : 'after'} ${first?.signal ?? 'the start'}`,
      evidence: {
        file: record.readback.file,
        readbackError: record.readback.error ?? null,
        acknowledged: acked.length,
        stored: stored.size,
        missing: missing.slice(0, 50).map((e) => ({ writeId: e.writeId, ackedRelMs: rel(e.endMs) })),
      },
    },
  ];
};
