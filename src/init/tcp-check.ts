// A health check command that only shows the server answers on its port (`redis-cli ping`, `grpc_health_probe
// -addr=:50051`, `nc -z localhost 7070`, `pg_isready`): from outside the container, what sigstorm can ask the same
// way is a TCP connect to that port. The program named, and the port when the command names one.

export interface TcpCheck {
  /** The checking program, as written (`redis-cli`). */
  program: string;
  /** The protocol the check speaks, when its program says (redis-cli: redis). */
  protocol?: string;
  port?: number;
}

/** Checkers of servers that speak no HTTP, with the option naming the port (a word after it, or `-addr=host:port`). */
const CHECKERS: Record<string, { protocol?: string; portFlag?: RegExp; portIn?: 'last' }> = {
  'redis-cli': { protocol: 'redis', portFlag: /^-p$/ },
  'valkey-cli': { protocol: 'redis', portFlag: /^-p$/ },
  grpc_health_probe: { protocol: 'grpc', portFlag: /^-?-addr(?:=(.*))?$/ },
  'grpc-health-probe': { protocol: 'grpc', portFlag: /^-?-addr(?:=(.*))?$/ },
  nc: { portIn: 'last' },
  netcat: { portIn: 'last' },
  pg_isready: { protocol: 'postgresql', portFlag: /^(?:-p|--port)(?:=(.*))?$/ },
  mysqladmin: { protocol: 'mysql', portFlag: /^(?:-P|--port)(?:=(.*))?$/ },
};

const portNumber = (text: string | undefined): number | undefined => {
  const m = text === undefined ? null : /(?:^|:)(\d{1,5})$/.exec(text);
  const n = m ? Number(m[1]) : NaN;
  return n > 0 && n < 65536 ? n : undefined;
};

/** The first TCP-level check among the words of a command (shell operators included), or undefined. */
export function tcpCheck(written: readonly string[]): TcpCheck | undefined {
  // `sh -c "redis-cli ping"` and CMD-SHELL: the words inside one argument too.
  const words = written.flatMap((w) => w.split(/\s+/)).filter(Boolean);
  const devTcp = words.map((w) => /\/dev\/tcp\/[^/\s]+\/(\d+)/.exec(w)).find(Boolean);
  if (devTcp) return { program: '/dev/tcp', ...(portNumber(devTcp[1]) ? { port: portNumber(devTcp[1])! } : {}) };
  const at = words.findIndex((w) => (w.split('/').at(-1) ?? '') in CHECKERS);
  if (at < 0) return undefined;
  const program = words[at]!.split('/').at(-1)!;
  const spec = CHECKERS[program]!;
  const rest = words.slice(at + 1);
  const end = rest.findIndex((w) => ['&&', '||', ';', '|'].includes(w));
  const args = end >= 0 ? rest.slice(0, end) : rest;
  let port: number | undefined;
  if (spec.portIn === 'last') port = portNumber(args.at(-1));
  const flag = spec.portFlag && args.findIndex((w) => spec.portFlag!.test(w));
  if (flag !== undefined && flag >= 0) port = portNumber(spec.portFlag!.exec(args[flag]!)![1] ?? args[flag + 1]);
  return { program, ...(spec.protocol ? { protocol: spec.protocol } : {}), ...(port ? { port } : {}) };
}

/** The readiness a TCP check amounts to: a connect to the port it names (when it is not the first of `ports`), or to the first. */
export function tcpReady(check: TcpCheck, ports: readonly string[], where: string): { port?: number; why: string; protocol?: string } {
  const port = check.port !== undefined && String(check.port) !== ports[0] ? check.port : undefined;
  const what = check.port !== undefined ? `port ${check.port}` : 'its port';
  const why = `${where} checks that the server answers on ${what}: from outside the container, a TCP connect to it asks the same.`;
  return { ...(port ? { port } : {}), why, ...(check.protocol ? { protocol: check.protocol } : {}) };
}
