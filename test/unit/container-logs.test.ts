import { describe, expect, it } from 'vitest';
import { engineStamped } from '../../src/backends/docker/container-logs.js';
import { now } from '../../src/time.js';

// The engine dates each line on the host's wall clock; sigstorm's times are monotonic: the offset between the two is
// read at once, so the result is arithmetic, not a timer.
describe('a container line dated by the engine', () => {
  const stamp = (wallMs: number, fraction = '') => `${new Date(wallMs).toISOString().slice(0, 19)}${fraction}Z`;

  it('is placed when the engine read it, on the monotonic clock, its timestamp removed', () => {
    const before = now();
    const wall = Date.now() - 50;
    const { atMs, text } = engineStamped(`${stamp(wall, `.${String(wall % 1000).padStart(3, '0')}000000`)} zoo: listening on :8080`);
    expect(text).toBe('zoo: listening on :8080');
    expect(Math.abs(atMs - (before - 50))).toBeLessThan(3);
  });

  it('keeps a nanosecond fraction, is never later than now, and leaves a line without a timestamp as it came', () => {
    expect(engineStamped(`${stamp(Date.now() + 60_000, '.5')} later`).atMs).toBeLessThanOrEqual(now());
    expect(engineStamped(`${stamp(Date.parse('2026-01-01T00:00:00Z'), '.123456789')} x`).text).toBe('x');
    const plain = engineStamped('no stamp here');
    expect(plain.text).toBe('no stamp here');
    expect(plain.atMs).toBeLessThanOrEqual(now());
  });
});
