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

/** The guess for a service with this port (when a file says) whose files name these words; undefined: nothing to go by. */
export function guessProtocol(port: number | undefined, names: readonly string[]): ProtocolGuess | undefined {
  for (const name of names) {
    for (const [pattern, protocol, what] of NAMED) {
      const m = pattern.exec(name);
      if (m) return { protocol, why: `${JSON.stringify(name)} names ${protocol === 'tcp' ? `${m[0]}, ${what}` : what}, not HTTP` };
    }
  }
  if (port === undefined) return undefined;
  const known = TCP_PORTS[port];
  const whose = known === 'redis' ? "Redis'" : known === 'grpc' ? "gRPC's" : 'a database or broker';
  if (known) return { protocol: known, why: `port ${port} is ${whose} port by convention, not HTTP` };
  if (HTTP_PORTS.has(port)) return { protocol: 'http', why: `port ${port} is an HTTP port by convention` };
  return { protocol: 'tcp', why: `nothing says it speaks HTTP (no HTTP health check, and ${port} is no conventional HTTP port)` };
}
