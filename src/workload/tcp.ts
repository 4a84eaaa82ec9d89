import type { Workload } from '../scenario/types.js';
import type { Drive, Driver } from './drive.js';
import type { Endpoint } from './http-client.js';

/** TCP request streams. (To be built.) */
export function driveTcp(_spec: Workload['tcp'][number], _endpoint: Endpoint, _drive: Drive): Driver {
  throw new Error('tcp workload: not built yet');
}
