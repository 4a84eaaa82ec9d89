/** One thing wrong with an input: where it is (file, line, key path) and what was expected there. */
export interface Problem {
  file: string;
  line?: number;
  column?: number;
  keyPath: string;
  message: string;
}

/** "key.path: message", or the message alone when it is about the whole input. */
export const formatIssue = (p: Pick<Problem, 'keyPath' | 'message'>): string => `${p.keyPath ? `${p.keyPath}: ` : ''}${p.message}`;

/** "file:line:col: key.path: message": the one wording of every input problem. */
export const formatProblem = (p: Problem): string => `${p.file}${p.line ? `:${p.line}:${p.column ?? 1}` : ''}: ${formatIssue(p)}`;
