// The HTTP check inside a health check command (`curl -f http://localhost:8080/healthz`, `wget -qO- …`): the path
// and port a readiness probe can ask for in the same way.

export interface HttpCheck {
  path: string;
  port?: number;
  /** The URL as written. */
  url: string;
}

/** The first http:// URL of a local host among the words of a command, or undefined. */
export function httpCheck(words: readonly string[]): HttpCheck | undefined {
  for (const word of words) {
    const m = /http:\/\/([^/\s"']+)(\/[^\s"']*)?/.exec(word);
    if (!m) continue;
    const [host, port] = splitHost(m[1]!);
    if (!/^(localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\]|::1)$/.test(host)) continue;
    const path = m[2] && !m[2].includes('$') ? m[2] : '/';
    const n = port === undefined ? 80 : Number(port);
    return { path, url: m[0], ...(Number.isInteger(n) && n > 0 && n < 65536 ? { port: n } : {}) };
  }
  return undefined;
}

function splitHost(hostPort: string): [string, string | undefined] {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(.*))?$/.exec(hostPort);
  return m ? [m[1]!, m[2]] : [hostPort, undefined];
}
