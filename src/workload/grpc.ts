import type { Workload } from '../scenario/types.js';
import type { Drive, Driver } from './drive.js';
import type { Endpoint } from './http-client.js';

/** gRPC calls. (To be built.) */
export function driveGrpc(_spec: Workload['grpc'][number], _endpoint: Endpoint, _cwd: string, _drive: Drive): Driver {
  throw new Error('grpc workload: not built yet');
}
