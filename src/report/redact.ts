import { SigstormError } from '../errors.js';

// Secrets never reach a report. Pure functions: which values are secret, and a deep copy of anything with them
// masked. Applied to every report before it is written or printed (session/run.ts, session/fuzz.ts, report/write.ts).

export const MASK = '***';

/** Names of variables, flags and keys whose values are secrets. */
export const SECRET_NAME = /pass(word|wd|phrase)?|secret|token|api[_-]?key|private[_-]?key|credential|auth/i;

/** Shorter values are masked where a key names them, but not hunted for in free text (a "1" is everywhere). */
const MIN_VERBATIM = 4;

export const isSecretName = (name: string): boolean => SECRET_NAME.test(name);

/** Values of the secret-looking entries of environment maps (`DB_PASSWORD: hunter2` → hunter2). */
export function secretsOfEnv(...envs: (Record<string, string | undefined> | undefined)[]): string[] {
  const out: string[] = [];
  for (const env of envs) for (const [key, value] of Object.entries(env ?? {})) if (value && isSecretName(key)) out.push(value);
  return out;
}

/**
 * Secrets written into a command line: `--password=x`, `--api-key x`, `-token x`, `DB_PASSWORD=x` and the
 * password of a URL (`postgres://user:x@host`).
 */
export function secretsOfArgv(argv: readonly string[] | undefined): string[] {
  const out: string[] = [];
  const words = argv ?? [];
  for (const [i, word] of words.entries()) {
    const assigned = /^-{0,2}([\w.-]+)=(.+)$/s.exec(word);
    if (assigned && isSecretName(assigned[1]!)) out.push(assigned[2]!);
    else if (/^-{1,2}[\w.-]+$/.test(word) && isSecretName(word) && words[i + 1] !== undefined && !words[i + 1]!.startsWith('-')) out.push(words[i + 1]!);
    for (const [, password] of word.matchAll(/[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:([^\s@/]+)@/gi)) out.push(password!);
  }
  return out;
}

/** What a target is started with, as far as secrets go (a loaded scenario's target, or any object of that shape). */
export interface SecretSources {
  container?: { environment?: Record<string, string>; command?: string[]; entrypoint?: string[] };
  process?: { env?: Record<string, string>; command?: string[] };
  prepare?: { command?: string[] };
}

/**
 * Every secret a trial of `target` could echo: its environment's secret values, secrets in its command lines,
 * and those of the environment sigstorm itself runs in (`hostEnv`), which a process target inherits.
 */
export function secretsOf(target: SecretSources, hostEnv: Record<string, string | undefined> = {}): string[] {
  const all = [
    ...secretsOfEnv(target.container?.environment, target.process?.env),
    // The host's own variables are many and not chosen for this target: only values that look like real keys.
    ...secretsOfEnv(hostEnv).filter((value) => value.length >= 8),
    ...secretsOfArgv(target.container?.command),
    ...secretsOfArgv(target.container?.entrypoint),
    ...secretsOfArgv(target.process?.command),
    ...secretsOfArgv(target.prepare?.command),
  ];
  // Longest first, so a secret that contains another is masked whole.
  return [...new Set(all)].sort((a, b) => b.length - a.length);
}

/** `NAME=value` in free text: a log line printing its configuration, a query string, a command line. */
const NAME_IS_VALUE = /([A-Za-z_][\w.-]*)=([^\s&;,'"]+)/g;

/** `text` with every occurrence of a secret, every URL password and every `SECRET_NAME=value` masked. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= MIN_VERBATIM && out.includes(secret)) out = out.split(secret).join(MASK);
  return out
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi, `$1${MASK}@`)
    .replace(NAME_IS_VALUE, (all, name: string, value: string) => (isSecretName(name) && value !== MASK ? `${name}=${MASK}` : all));
}

/**
 * A deep copy of `value` in which strings have their secrets masked and the string value of any key that names a
 * secret (`DB_PASSWORD`, `apiKey`, …) is masked whole. Plain JSON data in, plain JSON data out.
 */
export function redact<T>(value: T, secrets: readonly string[]): T {
  const walk = (v: unknown, key?: string): unknown => {
    if (typeof v === 'string') return key !== undefined && isSecretName(key) && v !== '' ? MASK : redactText(v, secrets);
    if (Array.isArray(v)) return v.map((item) => walk(item));
    if (v !== null && typeof v === 'object') {
      // `KEY=value` lists (compose-style environments, argv) are handled as text by their items.
      return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item, k)]));
    }
    return v;
  };
  return walk(value) as T;
}

/** An error whose message (and hint) no longer holds a secret: what sigstorm prints must be as safe as its reports. */
export function redactError(error: unknown, secrets: readonly string[]): unknown {
  if (error instanceof SigstormError) {
    return new SigstormError(error.kind, redactText(error.message, secrets), error.hint && redactText(error.hint, secrets));
  }
  if (error instanceof Error) {
    error.message = redactText(error.message, secrets);
    if (error.stack) error.stack = redactText(error.stack, secrets);
  }
  return error;
}
