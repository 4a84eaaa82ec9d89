import { firstTerminating } from './terminating.js';
import type { Oracle } from './verdict.js';

/**
 * Every write the target acknowledged (2xx) is in its read-back once it is gone. A write whose read failed (an
 * error answer, a refused connection, a timeout) is indeterminate, not lost: it alone fails nothing, and when no
 * write is proven missing the verdict is unknown.
 */
export const ackedWrites: Oracle = (record) => {
  const acked = record.ledger.filter((e) => e.kind === 'write' && e.outcome === 'ok');
  if (!record.readback || acked.length === 0) return [];
  const { file, error } = record.readback;
  const stored = new Set(record.readback.ids);
  const unreadIds = new Set(record.readback.unread ?? []);
  const unread = acked.filter((e) => e.writeId !== undefined && unreadIds.has(e.writeId));
  const missing = acked.filter((e) => e.writeId !== undefined && !stored.has(e.writeId) && !unreadIds.has(e.writeId));
  if (missing.length === 0 && unread.length === 0) {
    return [{ oracle: 'acked-writes', verdict: 'pass', message: `all ${acked.length} acknowledged writes are in ${file}` }];
  }
  const evidence = {
    file,
    readbackError: error ?? null,
    acknowledged: acked.length,
    stored: stored.size,
    ...(unread.length > 0 ? { unread: unread.slice(0, 50).map((e) => e.writeId) } : {}),
  };
  if (missing.length === 0) {
    return [
      {
        oracle: 'acked-writes',
        verdict: 'unknown',
        message:
          `${unread.length} of ${acked.length} acknowledged writes could not be read back from ${file}${error ? ` (${error})` : ''}: ` +
          `not proven lost${unread.length < acked.length ? `; the other ${acked.length - unread.length} are there` : ''}`,
        evidence: { ...evidence, missing: [] },
      },
    ];
  }
  const first = firstTerminating(record);
  const rel = (ms: number) => (first ? Math.round(ms - first.deliveredMs!) : Math.round(ms));
  const last = missing.at(-1)!;
  return [
    {
      oracle: 'acked-writes',
      verdict: 'fail',
      kind: 'acked-lost',
      message:
        `${missing.length} of ${acked.length} acknowledged writes missing from ${file}` +
        (unread.length > 0 ? `; ${unread.length} more could not be read back (${error ?? 'no answer'}), not proven lost` : error ? ` (${error})` : '') +
        `; the last was acknowledged ${Math.abs(rel(last.endMs))} ms ${rel(last.endMs) < 0 ? 'before' : 'after'} ${first?.signal ?? 'the start'}`,
      evidence: { ...evidence, missing: missing.slice(0, 50).map((e) => ({ writeId: e.writeId, ackedRelMs: rel(e.endMs) })) },
    },
  ];
};
