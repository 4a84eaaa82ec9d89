import type { z } from 'zod';
import { keyPathText } from './key-path.js';
import { formatIssue } from './problem.js';

/** What a zod issue expected, in the words of every input problem (never zod's "received undefined"). */
export function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_union') {
    if ('note' in issue && issue.note === 'No matching discriminator' && 'options' in issue) {
      return `expected \`${issue.discriminator}\` to be one of ${issue.options?.join(', ')}`;
    }
    // Report the branch that got furthest rather than zod's generic "invalid input".
    const branches = issue.errors.map((errs) => errs.map((e) => e.message));
    const specific = branches.flat().find((m) => !/^Invalid input: expected/.test(m));
    if (specific) return specific;
    const expected = [...new Set(branches.flat().map((m) => /expected (\w+)/.exec(m)?.[1]).filter(Boolean))];
    // Every branch saw nothing there: the key is missing, whichever type would have done.
    const missing = branches.flat().length > 0 && branches.flat().every((m) => /, received undefined$/.test(m));
    return expected.length ? `${missing ? 'missing: ' : ''}expected ${expected.join(' or ')}` : issue.message;
  }
  const message = issue.message.replace(/^Invalid input: /, '');
  // zod says "expected object, received undefined" for a key that is not there.
  return message.replace(/^(expected .*), received undefined$/, 'missing: $1');
}

/**
 * "events[0].at: missing: expected number" for each issue; `whole` names the input when the issue is about all of
 * it (a JSON document has no file lines to point at).
 */
export const issueLines = (error: z.ZodError, whole: string): string[] =>
  error.issues.map((issue) => formatIssue({ keyPath: keyPathText(issue.path) || whole, message: describeIssue(issue) }));
