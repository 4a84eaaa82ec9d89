import type { Workload } from '../scenario/types.js';
import type { Drive, Driver } from './drive.js';
import type { Endpoint } from './http-client.js';

/** The user's own client. (To be built.) */
export function driveExec(_spec: NonNullable<Workload['exec']>, _endpoint: Endpoint | undefined, _cwd: string, _drive: Drive): Driver {
  throw new Error('exec workload: not built yet');
}
