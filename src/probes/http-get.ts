import { request } from 'node:http';

export interface ProbeResult {
  ok: boolean;
  detail: string;
}

/** One GET on a fresh connection; ok for a 2xx answer. Never throws. */
export function probeHttp(host: string, port: number, path: string, timeoutMs = 1000): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const req = request({ host, port, path, method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      res.on('end', () => resolve({ ok: status >= 200 && status < 300, detail: `HTTP ${status}` }));
      res.on('error', (e) => resolve({ ok: false, detail: e.message }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, detail: e.code ?? e.message }));
    req.end();
  });
}
