// Whether a service speaks HTTP, from what its files name when no health check says: the image, build context or
// command naming a server that speaks something else (redis, a gRPC service, a database), or its port, by the
// conventions of the ports servers listen on. Pure: names and ports in, a guess and its reason out.

export interface ProtocolGuess {
  /** http: probe /healthz and send it requests; anything else: a TCP readiness, and traffic only where init knows how. */
  protocol: 'http' | 'redis' | 'grpc' | 'tcp';
  why: string;
}

/** Servers that speak no HTTP, by a word their image, build context or command holds. */
const NAMED: [RegExp, ProtocolGuess['protocol'], string][] = [
  [/\b(redis|valkey|keydb)\b/i, 'redis', 'Redis'],
  [/\bgrpc\b/i, 'grpc', 'gRPC'],
  [/\b(postgres(ql)?|mysql|mariadb|mongo(db)?|memcached|rabbitmq|nats|kafka|zookeeper|cassandra|etcd)\b/i, 'tcp', 'a server that speaks its own protocol'],
];

/** Ports of servers that speak no HTTP, and the ports HTTP services conventionally listen on. */
const TCP_PORTS: Record<number, ProtocolGuess['protocol']> = {
  6379: 'redis',
  50051: 'grpc',
  ...Object.fromEntries([5432, 3306, 27017, 11211, 5672, 4222, 9092, 2181, 9042, 2379].map((p) => [p, 'tcp' as const])),
};
const HTTP_PORTS = new Set([80, 3000, 4000, 5000, 8000, 8008, 8080, 8081, 8088, 8888, 9000, 9090]);

/** The first server a name says it is, and which word said it. */
function named(names: readonly string[]): { protocol: ProtocolGuess['protocol']; why: string } | undefined {
  for (const name of names) {
    for (const [pattern, protocol, what] of NAMED) {
      const m = pattern.exec(name);
      if (m) return { protocol, why: `${JSON.stringify(name)} names ${protocol === 'tcp' ? `${m[0]}, ${what}` : what}` };
    }
  }
  return undefined;
}

/** The guess for a service with this port (when a file says) whose files name these words; undefined: nothing to go by. */
export function guessProtocol(port: number | undefined, names: readonly string[]): ProtocolGuess | undefined {
  const known = port === undefined ? undefined : TCP_PORTS[port];
  const whose = known === 'redis' ? "Redis'" : known === 'grpc' ? "gRPC's" : 'a database or broker';
  if (known) return { protocol: known, why: `port ${port} is ${whose} port by convention, not HTTP` };
  const name = named(names);
  const httpPort = port !== undefined && HTTP_PORTS.has(port);
  // A name on an HTTP port (redis-commander on 8081, a gRPC service on 8080): no HTTP path to trust, and no Redis
  // PINGs sent on the name's word alone (a web UI would answer them with an error, counted as lost requests).
  if (name && httpPort) {
    return { protocol: name.protocol === 'redis' ? 'tcp' : name.protocol, why: `${name.why}, on ${port}, an HTTP port by convention: it may speak either` };
  }
  if (name) return { protocol: name.protocol, why: `${name.why}, not HTTP` };
  if (port === undefined) return undefined;
  if (httpPort) return { protocol: 'http', why: `port ${port} is an HTTP port by convention` };
  return { protocol: 'tcp', why: `nothing says it speaks HTTP (no HTTP health check, and ${port} is no conventional HTTP port)` };
}
