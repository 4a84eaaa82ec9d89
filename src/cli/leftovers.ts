import { leftoverWarning } from '../leftovers/sweep.js';

/** Before a campaign: say so when sigstorm runs that died left something behind (never fails the command). */
export async function warnAboutLeftovers(backend: string): Promise<void> {
  const warning = await leftoverWarning(backend !== 'process').catch(() => undefined);
  if (warning) process.stderr.write(`sigstorm: warning: ${warning}\n`);
}
