import { parseSchedule } from '../../src/schedule/parse.js';

/** What parsing a SIGTERM timed `after` this anchor says: its problem line (key path and expectation), or 'accepted'. */
export function anchorProblem(after: unknown): string {
  try {
    parseSchedule([{ at: 3, signal: 'SIGTERM', after }], 'test');
  } catch (error) {
    return (error as Error).message.split('\n').slice(1).join('\n').trim();
  }
  return 'accepted';
}
