/**
 * Someone is watching: the stream is a terminal and no CI system runs sigstorm. CI systems set `CI` (GitHub Actions,
 * GitLab, CircleCI, Buildkite, Jenkins' plugins…); vitest and Playwright read the same variable to pick their defaults.
 */
export function interactive(stream: { isTTY?: boolean } = process.stderr, env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  return stream.isTTY === true && !ci;
}

/**
 * `fuzz --budget` when none is given. The budget is how long a campaign explores when nothing fails (a failure
 * found ends exploring at once, and shrinking and confirmation end on their own), so: 1 minute for a person at a
 * terminal, an edit-run loop that still explores a few hundred schedules on the process backend; 5 minutes under
 * CI or when not on a terminal, a gate whose pass should mean the search was done.
 */
export const defaultFuzzBudget = (atTerminal: boolean): string => (atTerminal ? '1m' : '5m');
