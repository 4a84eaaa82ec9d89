import { parse as parseShellWords } from 'shell-quote';
import { NO_PROCESS_FORM, type ReadyChoice, type Sketch } from './common.js';
import { emptyDraft, withEntries, type Entry } from './draft.js';
import { httpCheck, type HttpCheck } from './http-check.js';
import { tcpCheck, tcpReady, type TcpCheck } from './tcp-check.js';

// A Dockerfile read as plain data: what the final stage says about ports, the stop signal, the health check and the
// command. Pure: text in, facts out, each with its line.

export interface Located<T> {
  value: T;
  line: number;
}

export interface RunForm {
  /** exec: a JSON array, run as PID 1 itself; shell: `/bin/sh -c "…"`, so the shell is PID 1. */
  form: 'exec' | 'shell';
  argv: string[];
  line: number;
}

export interface DockerfileFacts {
  /** The base image of the final stage: what it leaves unsaid may come from there. */
  from?: Located<string>;
  expose: Located<string>[];
  stopSignal?: Located<string>;
  healthcheck?: Located<string> & { http?: HttpCheck; tcp?: TcpCheck };
  entrypoint?: RunForm;
  cmd?: RunForm;
  /** EXPOSE values that name a variable or UDP: not a TCP port sigstorm can probe. */
  skipped: Located<string>[];
}

/** Instructions with their first line: continuation lines joined, comments and blank lines left out. */
export function instructions(text: string): { keyword: string; rest: string; line: number }[] {
  const out: { keyword: string; rest: string; line: number }[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) return;
    if (pending && line.startsWith('#')) return; // a comment inside a continued instruction
    const joined = pending ? `${pending.text} ${line}` : line;
    const first = pending?.line ?? i + 1;
    if (joined.endsWith('\\')) {
      pending = { text: joined.slice(0, -1).trim(), line: first };
      return;
    }
    pending = undefined;
    const m = /^(\S+)\s*(.*)$/.exec(joined);
    if (m) out.push({ keyword: m[1]!.toUpperCase(), rest: m[2]!, line: first });
  });
  if (pending) {
    const m = /^(\S+)\s*(.*)$/.exec(pending.text);
    if (m) out.push({ keyword: m[1]!.toUpperCase(), rest: m[2]!, line: pending.line });
  }
  return out;
}

/** ENTRYPOINT / CMD / HEALTHCHECK CMD: a JSON array is the exec form; anything else runs through /bin/sh -c. */
export function runForm(rest: string, line: number): RunForm {
  if (rest.startsWith('[')) {
    try {
      const argv = JSON.parse(rest) as unknown;
      if (Array.isArray(argv) && argv.every((a) => typeof a === 'string')) return { form: 'exec', argv, line };
    } catch {
      // not JSON: Docker runs it through the shell too
    }
  }
  return { form: 'shell', argv: ['/bin/sh', '-c', rest], line };
}

/** The final stage's facts (each FROM starts a new stage and forgets the one before). */
export function parseDockerfile(text: string): DockerfileFacts {
  let facts: DockerfileFacts = { expose: [], skipped: [] };
  for (const { keyword, rest, line } of instructions(text)) {
    if (keyword === 'FROM') facts = { from: { value: rest.split(/\s+/)[0] ?? rest, line }, expose: [], skipped: [] };
    else if (keyword === 'EXPOSE') {
      for (const word of rest.split(/\s+/).filter(Boolean)) {
        const m = /^(\d+)(?:\/tcp)?$/i.exec(word);
        if (m) facts.expose.push({ value: m[1]!, line });
        else facts.skipped.push({ value: word, line });
      }
    } else if (keyword === 'STOPSIGNAL') facts.stopSignal = { value: rest.trim(), line };
    else if (keyword === 'ENTRYPOINT') facts.entrypoint = runForm(rest, line);
    else if (keyword === 'CMD') facts.cmd = runForm(rest, line);
    else if (keyword === 'HEALTHCHECK') facts.healthcheck = healthcheck(rest, line);
  }
  return facts;
}

function healthcheck(rest: string, line: number): DockerfileFacts['healthcheck'] {
  if (/^NONE\b/i.test(rest.trim())) return undefined;
  const cmd = /(?:^|\s)CMD\s+(.*)$/i.exec(rest);
  const command = cmd ? cmd[1]!.trim() : rest.trim();
  const form = runForm(command, line);
  const words = form.form === 'exec' ? form.argv : shellWords(command);
  const check = httpCheck(words);
  const tcp = check ? undefined : tcpCheck(words);
  return { value: command, line, ...(check ? { http: check } : {}), ...(tcp ? { tcp } : {}) };
}

/** Words of a shell command line, operators and globs as their text (only a URL is looked for in them). */
export const shellWords = (text: string): string[] =>
  parseShellWords(text, (name) => `$${name}`).map((w) => (typeof w === 'string' ? w : 'op' in w ? w.op : String(w)));

/** Why a run form is a problem for signals, or undefined when it is not. */
export function signalWarning(form: RunForm, what: string, file: string): string | undefined {
  if (form.form === 'shell') {
    return `${what} at ${file}:${form.line} is in shell form: /bin/sh -c runs as PID 1 and does not pass SIGTERM on to the service, so \`docker stop\` ends in SIGKILL. Write it as a JSON array (exec form), or start the program with \`exec\`.`;
  }
  const [program, script] = form.argv;
  if (program && /(^|\/)(ba|da)?sh$/.test(program) && script && script !== '-c') {
    return `${what} at ${file}:${form.line} runs a shell script (${form.argv.join(' ')}) as PID 1: unless the script ends by \`exec\`-ing the service, signals stop at the shell.`;
  }
  if (program && /(^|\/)(ba|da)?sh$/.test(program) && script === '-c') {
    return `${what} at ${file}:${form.line} runs \`sh -c\` as PID 1: unless the command starts with \`exec\`, signals stop at the shell.`;
  }
  return undefined;
}

/** The scenario for an image built from this Dockerfile (the container form). */
export function dockerfileDraft(facts: DockerfileFacts, file: string, build: { context: string; dockerfile: string }): Sketch {
  const entries: Entry[] = [];
  const unknowns: string[] = [];
  const warnings: string[] = [];
  const value = build.dockerfile === 'Dockerfile' ? build.context : build;
  entries.push({ path: ['target', 'build'], value, why: `Built locally from ${file}${facts.from ? ` (final stage FROM ${facts.from.value}, line ${facts.from.line})` : ''}, tagged by a hash of the context.` });
  if (facts.expose.length) {
    const lines = [...new Set(facts.expose.map((e) => e.line))].join(', ');
    entries.push({ path: ['target', 'ports'], value: facts.expose.map((e) => e.value), why: `EXPOSE at ${file}:${lines}; published on a free 127.0.0.1 port.` });
  } else {
    const base = facts.from ? ` (the base image ${facts.from.value} may expose one)` : '';
    unknowns.push(`a port: no EXPOSE${facts.skipped.length ? ` sigstorm can use (${facts.skipped.map((s) => s.value).join(', ')})` : ''}${base}; add \`ports\``);
  }
  const stopSignal = facts.stopSignal?.value ?? 'SIGTERM';
  entries.push({
    path: ['target', 'stop_signal'],
    value: stopSignal,
    why: facts.stopSignal ? `STOPSIGNAL at ${file}:${facts.stopSignal.line}.` : "Default: docker stop's SIGTERM (no STOPSIGNAL).",
  });
  entries.push({ path: ['target', 'stop_grace_period'], value: '10s', why: "Default: docker stop's 10 s (a Dockerfile cannot say); set your orchestrator's." });
  const run = facts.entrypoint ?? facts.cmd;
  const warning = run && signalWarning(run, facts.entrypoint ? 'ENTRYPOINT' : 'CMD', file);
  if (warning) warnings.push(warning);
  if (!run) unknowns.push(`the command: no ENTRYPOINT or CMD in the final stage${facts.from ? ` (the base image ${facts.from.value} gives it)` : ''}`);
  unknowns.push(NO_PROCESS_FORM);
  const draft = withEntries(emptyDraft(file), entries, unknowns, warnings);
  const h = facts.healthcheck;
  const port = h?.http?.port !== undefined && facts.expose.some((e) => e.value === String(h.http!.port)) ? h.http.port : undefined;
  const ports = facts.expose.map((e) => e.value);
  const names = [...(run?.argv ?? []), facts.from?.value, file].filter((n): n is string => Boolean(n));
  const ready: ReadyChoice = {
    hasPort: ports.length > 0,
    ...(ports.length ? { port: Number(ports[0]) } : {}),
    names,
    ...(h?.http && ports.length ? { http: { path: h.http.path, ...(port ? { port } : {}), why: `HEALTHCHECK at ${file}:${h.line} asks ${h.http.url}.` } } : {}),
    ...(h?.tcp && ports.length ? { tcp: tcpReady(h.tcp, ports, `HEALTHCHECK at ${file}:${h.line} (${h.value})`) } : {}),
    ...(h && !h.http && !h.tcp && ports.length ? { unusable: `its HEALTHCHECK (${h.value}, ${file}:${h.line}) is no HTTP request to this host` } : {}),
  };
  return { draft, ready, stopSignal };
}
