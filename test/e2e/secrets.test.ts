import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/report.js';
import { sigstorm } from '../helpers/cli.js';

// A target that prints every secret it was given (environment, argv, a URL) and dies on SIGTERM with an uncaught
// exception quoting one: the report must keep the evidence and lose the secrets.
const target = `
const http = require('node:http');
const e = process.env;
console.log('config DB_PASSWORD=' + e.DB_PASSWORD + ' token ' + e.API_TOKEN + ' host ' + e.SIGSTORM_TEST_TOKEN);
console.log('argv ' + process.argv.slice(1).join(' ') + ' dsn postgres://app:' + e.DB_PASSWORD + '@db/app');
http.createServer((req, res) => res.end('ok')).listen(Number(e.PORT), '127.0.0.1', () => console.log('listening'));
process.on('SIGTERM', () => { throw new Error('cannot reach the database with password ' + e.DB_PASSWORD); });
`;

const scenario = `
target:
  image: sigstorm/never-started       # the container form is not used here: --backend process
  environment: { DB_PASSWORD: hunter2 }
  process:
    command: [node, -e, ${JSON.stringify(target)}, --, --password=hunter2]
    env: { DB_PASSWORD: hunter2, API_TOKEN: tok-3x4mpl3-value }
  ready: { log: listening, timeout: 10s }
  stop_grace_period: 2s
schedule:
  - { at: 100, signal: SIGTERM }
expect:
  SIGTERM: { exit: [0], within: 2s }
`;

const SECRETS = ['hunter2', 'tok-3x4mpl3-value', 'host-secret-value-123'];

describe('secrets never reach a report', () => {
  it('run: a target given DB_PASSWORD: hunter2 leaves no hunter2 in report.json, the summary or the JSON output', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigstorm-secrets-'));
    const file = join(dir, 'leaky.yml');
    writeFileSync(file, scenario);
    const env = { SIGSTORM_TEST_TOKEN: 'host-secret-value-123' };

    const text = await sigstorm(['run', file, '--backend', 'process', '--report-dir', join(dir, 'reports')], { env });
    expect(text.exitCode, text.all).toBe(1); // the uncaught exception fails exit-status
    const json = await sigstorm(['run', file, '--backend', 'process', '--report-dir', join(dir, 'reports'), '--json'], { env });
    expect(json.exitCode, json.all).toBe(1);

    const runs = readdirSync(join(dir, 'reports', 'leaky'));
    expect(runs).toHaveLength(2);
    for (const run of runs) {
      const raw = readFileSync(join(dir, 'reports', 'leaky', run, 'report.json'), 'utf8');
      for (const secret of SECRETS) expect(raw, `report.json holds ${secret}`).not.toContain(secret);
      // The evidence is kept, with the secrets masked in place.
      const report = JSON.parse(raw) as Report;
      const logs = report.trial!.logs.map((l) => l.text).join('\n');
      expect(logs).toContain('config DB_PASSWORD=*** token *** host ***');
      expect(logs).toContain('argv --password=*** dsn postgres://app:***@db/app');
      expect(report.failures.map((f) => f.message).join('\n')).toMatch(/Node uncaught exception.*password \*\*\*/);
    }
    for (const out of [text.all, json.all]) for (const secret of SECRETS) expect(out, `output holds ${secret}`).not.toContain(secret);
  });
});
