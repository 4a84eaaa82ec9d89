import { resolve } from 'node:path';
import { loadSync, type MethodDefinition, type PackageDefinition } from '@grpc/proto-loader';
import type { KeyPath } from '../input/key-path.js';
import { requestProblems } from './grpc-request.js';
import type { Workload } from './types.js';

// A `workload.grpc` entry's method, read from its .proto with proto-loader: checked when the scenario loads (a
// problem at its key), loaded again by the workload that calls it.

export type GrpcSpec = Workload['grpc'][number];

export interface GrpcMethod {
  /** /package.Service/Method */
  path: string;
  /** Server-streaming (the reply is a stream of messages); otherwise unary. */
  streaming: boolean;
  definition: MethodDefinition<object, object>;
  /** Every type of the .proto and its imports, by full name. */
  definitions: PackageDefinition;
}

/** What is wrong with a spec, at a key path under its entry (`proto`, `method`, `request.user_id`). */
export interface GrpcProblem {
  at: KeyPath;
  message: string;
}

/**
 * The method a spec names, from its .proto (`proto` and `include` relative to `dir`, the scenario's directory).
 * Field names are those of the .proto (keepCase), as the request JSON writes them.
 */
export function grpcMethod(spec: GrpcSpec, dir: string): GrpcMethod | GrpcProblem {
  const file = resolve(dir, spec.proto);
  let definitions: PackageDefinition;
  try {
    definitions = loadSync(file, { keepCase: true, includeDirs: spec.include.map((d) => resolve(dir, d)) });
  } catch (error) {
    // ENOENT names the file it could not open (an import, perhaps); a parse error names its line.
    return { at: ['proto'], message: `cannot load ${spec.proto}: ${(error as Error).message}` };
  }
  const [service = '', name = ''] = spec.method.split('/');
  const method = services(definitions)[service]?.[name];
  if (!method) {
    const all = Object.entries(services(definitions)).flatMap(([s, methods]) => Object.keys(methods).map((m) => `${s}/${m}`));
    return { at: ['method'], message: `${spec.proto} has no method ${spec.method}; it has: ${all.join(', ') || 'no service at all'}` };
  }
  if (method.requestStream) {
    const kind = method.responseStream ? 'bidirectional' : 'client';
    return { at: ['method'], message: `${spec.method} is ${kind}-streaming: not supported (unary and server-streaming methods are)` };
  }
  return { path: method.path, streaming: method.responseStream, definition: method, definitions };
}

/** Every problem of the scenario's gRPC calls, at its key path in the scenario (`dir`: the scenario's directory). */
export function grpcProblems(specs: readonly GrpcSpec[], dir: string): GrpcProblem[] {
  return specs.flatMap((spec, i) => {
    const method = grpcMethod(spec, dir);
    const found = isGrpcProblem(method) ? [method] : requestProblems(method.definition.requestType, spec.request, method.definitions);
    return found.map((p) => ({ ...p, at: ['workload', 'grpc', i, ...p.at] }));
  });
}

export const isGrpcProblem = (m: GrpcMethod | GrpcProblem): m is GrpcProblem => 'message' in m;

/** The services of a package definition, by full name, each with its methods by name. */
function services(definitions: PackageDefinition): Record<string, Record<string, MethodDefinition<object, object>>> {
  return Object.fromEntries(
    Object.entries(definitions).filter(([, d]) => !('format' in d)) as [string, Record<string, MethodDefinition<object, object>>][],
  );
}
