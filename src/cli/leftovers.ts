import { leftoverWarning } from '../gc/sweep.js';

/** Before a campaign: say so when sigstorm runs that died left something behind (never fails the command). */
export async function warnAboutLeftovers(): Promise<void> {
  const warning = await leftoverWarning().catch(() => undefined);
  if (warning) process.stderr.write(`sigstorm: warning: ${warning}\n`);
}
