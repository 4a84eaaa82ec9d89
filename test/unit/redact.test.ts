import { describe, expect, it } from 'vitest';
import { isSecretName, MASK, redact, redactText, secretsOf, secretsOfArgv, secretsOfEnv } from '../../src/report/redact.js';

describe('secret masking', () => {
  it('knows secret-looking names and leaves the others alone', () => {
    for (const name of ['DB_PASSWORD', 'password', 'PGPASS', 'passwd', 'CLIENT_SECRET', 'GITHUB_TOKEN', 'api_key', 'X-Api-Key', 'apikey', 'PRIVATE_KEY', 'AWS_CREDENTIALS', 'AUTH', 'authorization', '--password']) {
      expect(isSecretName(name), name).toBe(true);
    }
    for (const name of ['LOG_LEVEL', 'PORT', 'ZOO_MODE', 'DATA_DIR', 'PATH', 'HOME', 'signal']) expect(isSecretName(name), name).toBe(false);
  });

  it('takes secret values from environments and command lines', () => {
    expect(secretsOfEnv({ DB_PASSWORD: 'hunter2', LOG_LEVEL: 'debug' }, { API_TOKEN: 't0k3n', EMPTY_SECRET: '' })).toEqual(['hunter2', 't0k3n']);
    expect(secretsOfArgv(['/app', '--password=hunter2', '--api-key', 'k3y-value', '--verbose', 'DB_TOKEN=abcd', '--dsn', 'postgres://app:pg-pass@db:5432/app'])).toEqual([
      'hunter2',
      'k3y-value',
      'abcd',
      'pg-pass',
    ]);
    // A flag that names a secret but takes no value does not swallow the next flag.
    expect(secretsOfArgv(['--no-auth', '--port', '80'])).toEqual([]);
  });

  it('collects a target\'s secrets from every form and the host environment, longest first', () => {
    const secrets = secretsOf(
      {
        container: { environment: { DB_PASSWORD: 'hunter2' }, command: ['/api', '--token=container-token'] },
        process: { env: { DB_PASSWORD: 'hunter2-long' }, command: ['./api'] },
        prepare: { command: ['sh', 'build.sh', '--registry-password', 'reg-pass'] },
      },
      { GITHUB_TOKEN: 'ghp_host', HOME: '/root' },
    );
    expect(secrets).toEqual(['container-token', 'hunter2-long', 'ghp_host', 'reg-pass', 'hunter2']);
  });

  it('masks secrets in text: verbatim, URL passwords and NAME=value', () => {
    expect(redactText('connecting with hunter2 as app', ['hunter2'])).toBe(`connecting with ${MASK} as app`);
    expect(redactText('dsn postgres://app:whatever@db/app', [])).toBe(`dsn postgres://app:${MASK}@db/app`);
    expect(redactText('GET /login?user=a&token=abc123 env DB_PASSWORD=x LOG_LEVEL=debug', [])).toBe(
      `GET /login?user=a&token=${MASK} env DB_PASSWORD=${MASK} LOG_LEVEL=debug`,
    );
    // Short values are masked where a key names them, but not hunted for in free text.
    expect(redactText('exit 1 after 1 ms', ['1'])).toBe('exit 1 after 1 ms');
  });

  it('masks a whole report deeply: strings everywhere, and any value under a secret-looking key', () => {
    const report = {
      scenario: { name: 'api', path: '/s/api.yml' },
      error: { message: 'prepare step `build --password=hunter2` failed: hunter2 rejected' },
      trial: {
        logs: [{ atMs: 1, stream: 'stdout', text: 'config: password hunter2' }],
        exit: { status: 0 },
        env: { DB_PASSWORD: 'anything', LOG_LEVEL: 'debug' },
        argv: ['--token', 'hunter2'],
      },
      count: 3,
      ok: true,
      none: null,
    };
    const masked = redact(report, ['hunter2']);
    expect(JSON.stringify(masked)).not.toContain('hunter2');
    expect(JSON.stringify(masked)).not.toContain('anything');
    expect(masked.trial.env).toEqual({ DB_PASSWORD: MASK, LOG_LEVEL: 'debug' });
    expect(masked.trial.logs[0]!.text).toBe(`config: password ${MASK}`);
    expect(masked).toMatchObject({ count: 3, ok: true, none: null, scenario: { name: 'api', path: '/s/api.yml' } });
    expect(report.trial.logs[0]!.text).toContain('hunter2'); // a copy: the input is left as it was
    expect(redact(masked, ['hunter2'])).toEqual(masked); // idempotent
  });
});
