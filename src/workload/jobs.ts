import type { Workload } from '../scenario/types.js';
import type { Drive, Driver } from './drive.js';
import type { Endpoint } from './http-client.js';

/** Jobs pushed onto a queue. (To be built.) */
export function driveJobs(_spec: NonNullable<Workload['jobs']>, _services: ReadonlyMap<string, Endpoint>, _drive: Drive): Driver {
  throw new Error('jobs workload: not built yet');
}
