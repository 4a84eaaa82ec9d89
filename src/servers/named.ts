import { SERVERS } from './catalogue.js';
import type { Meaning, ServerEntry, SignalFact } from './server.js';

// Before any trial: the server a scenario names in how it starts the target (the image's repository, the command's
// words and path segments), for the notes `validate` and reports print. A guess from words, so it only ever adds a
// note; diagnoses recognise the server from the record instead (oracles/server.ts).

/** The words of a command line and an image: basenames, path segments, an image's repository without tag or registry. */
export function wordsOf(command: readonly string[], image?: string): string[] {
  const words = command.flatMap((arg) => arg.split(/[\s=]+/)).flatMap((arg) => arg.split('/'));
  const repo = image?.replace(/[:@].*$/, '').split('/').at(-1);
  return [...new Set([...words, ...(repo ? [repo] : [])].filter((w) => w.length > 1))];
}

/** The first catalogued server whose executable or command name pattern matches one of the words. */
export function serverNamed(words: readonly string[]): ServerEntry | undefined {
  const matches = (source: string | undefined) => source !== undefined && words.some((w) => new RegExp(source).test(w));
  return SERVERS.find((s) => s.recognise && (matches(s.recognise.exe) || matches(s.recognise.comm)));
}

const STOPS: readonly Meaning[] = ['graceful-stop', 'immediate-stop'];
const describe = (f: SignalFact) => `${f.words}${f.when ? ` (${f.when})` : ''}`;

/**
 * What the catalogue says against an expectation, in one sentence, or undefined when it agrees (or knows nothing):
 * a signal expected to stop the server that its documentation calls something else (or a stop only with a setting, or
 * a fast one), or one it must survive that its documentation calls a stop.
 */
export function expectationNote(server: ServerEntry, signal: string, kind: 'exit' | 'alive'): string | undefined {
  const facts = server.signals.filter((f) => f.signal === signal && (!f.versions || f.versions.startsWith('>=')));
  if (facts.length === 0) return undefined;
  const stops = facts.filter((f) => STOPS.includes(f.meaning));
  const others = facts.filter((f) => !STOPS.includes(f.meaning));
  const graceful = `its graceful stop is ${server.gracefulStop.how}`;
  if (kind === 'alive') {
    if (stops.length === 0) return undefined;
    const otherwise = others.length ? `; ${others.map((f) => `${f.when ?? 'otherwise'}: ${f.words}`).join('; ')}` : '';
    return `this scenario expects ${server.name} to survive ${signal}, which its documentation calls a stop: ${stops.map(describe).join('; ')}${otherwise}`;
  }
  const graceStop = stops.find((f) => f.meaning === 'graceful-stop');
  if (others.length && graceStop?.when) {
    return `this scenario expects ${signal} to stop ${server.name} gracefully, which it does only ${graceStop.when}; otherwise: ${others.map(describe).join('; ')}`;
  }
  if (others.length && !graceStop) return `this scenario expects ${signal} to stop ${server.name}, which its documentation calls ${others.map(describe).join('; ')}; ${graceful}`;
  if (!graceStop && stops.some((f) => f.meaning === 'immediate-stop')) {
    return `${signal} is ${server.name}'s documented fast stop (${stops.map(describe).join('; ')}): requests in flight are cut; ${graceful}`;
  }
  return undefined;
}
