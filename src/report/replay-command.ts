import type { Schedule } from '../schedule/event.js';
import { displayPath } from './display-path.js';

// Every failure message tells the user how to replay it (docs/architecture.md): these are the commands reports print.

/** A copy-pasteable command that plays the same schedule on the same backend. */
export function replayCommand(scenarioPath: string, backend: string, schedule: Schedule): string {
  const path = displayPath(scenarioPath);
  const events = schedule.length ? ` --events ${shellQuote(JSON.stringify(schedule))}` : '';
  return `npx sigstorm run ${shellQuote(path)} --backend ${backend}${events}`;
}

/** The command that replays the minimal schedule of a fuzz report. */
export const replayReportCommand = (reportPath: string): string => `npx sigstorm replay ${shellQuote(displayPath(reportPath))} --times 20`;

/** A word for a POSIX shell: as it is when it is plainly safe, else single-quoted. */
export const shellQuote = (text: string): string => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`);
