import type { Meaning, SignalFact } from '../servers/server.js';
import { hung, type Clues } from './clues.js';
import type { Entry } from './entry.js';
import { factsFor } from './server.js';
import type { OracleResult } from './verdict.js';

// Diagnoses from the server catalogue (src/servers/): a failure on a recognised server whose evidence fits what its
// documentation says the signal does is explained by that behaviour, the setting that changes it and the source.

const HANG = ['deadline/*', 'exit-status/killed'];
const LOST = ['lost-requests/in-flight-lost', 'lost-requests/truncated'];
const STOPS: readonly Meaning[] = ['graceful-stop', 'immediate-stop'];
const RELOADS: readonly Meaning[] = ['reload', 'graceful-reload'];

/** A meaning in a sentence. */
const MEANING_WORDS: Record<Meaning, string> = {
  'graceful-stop': 'a graceful stop',
  'immediate-stop': 'an immediate stop',
  reload: 'a reload',
  'graceful-reload': 'a graceful reload',
  'reopen-logs': 'a log reopen',
  ignored: 'ignored',
  other: 'neither a stop nor a reload',
};
const name = (c: Clues) => c.server!.server.name;
const when = (f: SignalFact) => (f.when ? ` (${f.when})` : '');
const documented = (f: SignalFact) => `Documented: "${f.source.quote}" (${f.source.url}).`;
const sourceOf = (c: Clues, f: SignalFact | undefined) => (f && c.server ? { server: c.server.server.id, url: f.source.url, quote: f.source.quote } : undefined);
/** The settings that change what `signal` does (or bound its graceful stop), in words. */
const settingsFor = (c: Clues, signal: string) =>
  c.server!.server.settings.filter((s) => s.signals.includes(signal)).map((s) => `${s.name}: ${s.effect}`);
const gracefulStop = (c: Clues) => c.server!.server.gracefulStop.how;

/** The terminating signal, documented as a reload, and the target never went: it came back instead of stopping. */
const reloadInsteadOfStop = (c: Clues) => (c.first && hung(c) ? factsFor(c.server, c.first.signal, RELOADS)[0] : undefined);

/** The last signal the scenario expects the server to survive that its documentation calls a stop. */
function stopOnSurvivable(c: Clues): { signal: string; fact: SignalFact } | undefined {
  const survivable = c.deliveries.filter((d) => c.record.expect[d.signal]?.kind === 'alive' && d.deliveredMs <= c.record.exit.atMs);
  for (const d of [...survivable].reverse()) {
    const fact = factsFor(c.server, d.signal, STOPS)[0];
    if (fact) return { signal: d.signal, fact };
  }
  return undefined;
}

/** A stop signal that came while the server was still reloading (a documented reload signal shortly before), then a hang. */
function stopDuringReload(c: Clues): { reload: string; gapMs: number; fact: SignalFact } | undefined {
  if (!c.first || !hung(c) || factsFor(c.server, c.first.signal, STOPS).length === 0) return undefined;
  const at = c.first.deliveredMs;
  const reload = c.deliveries.filter((d) => d.deliveredMs < at && at - d.deliveredMs < 5000 && c.record.expect[d.signal]?.kind === 'alive').at(-1);
  const fact = reload && factsFor(c.server, reload.signal, RELOADS)[0];
  return reload && fact ? { reload: reload.signal, gapMs: at - reload.deliveredMs, fact } : undefined;
}

/** The server's documented fast stop, when it is the signal that began the stop. */
export const fastStop = (c: Clues): SignalFact | undefined => (c.first ? factsFor(c.server, c.first.signal, ['immediate-stop'])[0] : undefined);

export const fastStopCause = (c: Clues): string => {
  const f = fastStop(c)!;
  return `${f.signal} is ${name(c)}'s documented ${f.words}, not a graceful stop: what it had in flight was cut.`;
};
export const fastStopFix = (c: Clues): string => {
  const f = fastStop(c)!;
  const settings = settingsFor(c, c.server!.server.gracefulStop.signal ?? '');
  return `Stop ${name(c)} with its graceful stop, ${gracefulStop(c)} (stop_signal)${settings.length ? `; ${settings.join('; ')}` : ''}. ${documented(f)}`;
};
export const fastStopSource = (c: Clues) => sourceOf(c, fastStop(c));

/** Which meanings of a signal fit a failure: a cut request fits a stop or reload that cuts, a hang one that does not stop. */
function meaningsFitting(f: OracleResult): readonly Meaning[] | undefined {
  const key = `${f.oracle}/${f.kind}`;
  if (LOST.includes(key)) return ['immediate-stop', 'reload'];
  if (key === 'exit-status/killed' || f.oracle === 'deadline') return ['reload', 'graceful-reload', 'ignored', 'other'];
  if (f.oracle === 'alive') return STOPS;
  return undefined;
}

/** The fact the catalogue holds for the signal the failure is about: the first terminating one, else the latest. */
function documentedFact(c: Clues, f: OracleResult): SignalFact | undefined {
  const meanings = meaningsFitting(f);
  const signals = new Set<string>([...(c.first ? [c.first.signal] : []), ...[...c.deliveries].reverse().map((d) => d.signal)]);
  for (const signal of signals) {
    const fact = factsFor(c.server, signal, meanings)[0];
    if (fact) return fact;
  }
  return undefined;
}

/** Its graceful reload, where the documented reload cut requests (apache2's HUP: use USR1). */
const gracefulReloads = (c: Clues) => c.server!.server.signals.filter((s) => s.meaning === 'graceful-reload').map((s) => `${s.signal} (${s.words})`);

function documentedFix(c: Clues, f: OracleResult): string {
  const fact = documentedFact(c, f)!;
  const settings = settingsFor(c, fact.signal);
  const reloads = fact.meaning === 'reload' ? gracefulReloads(c) : [];
  const changes = settings.length ? `settings that change what ${fact.signal} does: ${settings.join('; ')}` : '';
  if (fact.meaning === 'graceful-stop' || fact.meaning === 'other') {
    // what it does is documented and deliberate: change it, or expect it
    const expectIt = `or expect what it documents (the exit status in expect.${fact.signal}.exit)`;
    return `${changes ? `${changes[0]!.toUpperCase()}${changes.slice(1)}, ${expectIt}` : `${expectIt[3]!.toUpperCase()}${expectIt.slice(4)}`}. ${documented(fact)}`;
  }
  const instead = reloads.length ? `Reload it with ${reloads.join(' or ')} instead` : `Stop it with its graceful stop, ${gracefulStop(c)}`;
  return `${instead}${changes ? `; ${changes}` : ''}. ${documented(fact)}`;
}

/**
 * The documented fast stop cut requests other than the downloads the general fast-shutdown entry reads (a database
 * query reset, a request cut after a slow exit): its words are this server's either way.
 */
const fastStopElse = (c: Clues) => {
  if (!fastStop(c) || c.lostInFlight.length === 0) return false;
  const soon = c.exitAfterSignalMs !== undefined && c.exitAfterSignalMs >= 0 && c.exitAfterSignalMs <= 1000 && !c.record.exit.forcedKill;
  return !(soon && c.lostInFlight.some((e) => e.outcome === 'truncated'));
};

/** Before the general entries: what the server's own documentation says explains the failure better than a guess. */
export const SERVER_FIRST: Entry[] = [
  {
    id: 'server-fast-stop',
    reads: "requests in flight lost after a catalogued server's documented fast stop (other than downloads cut by a prompt exit: fast-shutdown)",
    explains: LOST,
    confidence: 'high',
    when: fastStopElse,
    cause: fastStopCause,
    fix: fastStopFix,
    source: fastStopSource,
  },
  {
    id: 'server-stop-is-reload',
    reads: 'a catalogued server (docs/servers.md) hung until SIGKILL after a terminating signal its documentation calls a reload',
    explains: [...HANG, ...LOST],
    confidence: 'high',
    when: (c) => reloadInsteadOfStop(c) !== undefined,
    cause: (c) => {
      const f = reloadInsteadOfStop(c)!;
      return `${f.signal} is a reload for ${name(c)}, not a stop${when(f)}: ${f.words}. So it did not exit, and the grace period ended in SIGKILL.`;
    },
    fix: (c) => {
      const f = reloadInsteadOfStop(c)!;
      const settings = settingsFor(c, f.signal);
      const other = c.server!.server.gracefulStop.signal !== f.signal ? `, or stop ${name(c)} with ${gracefulStop(c)}` : '';
      return `Make ${f.signal} a graceful stop${settings.length ? ` (${settings.join('; ')})` : ''}${other}. ${documented(f)}`;
    },
    source: (c) => sourceOf(c, reloadInsteadOfStop(c)),
  },
  {
    id: 'server-signal-stops',
    reads: 'a catalogued server stopped (or stopped listening) after a signal the scenario expects it to survive and its documentation calls a stop',
    explains: ['alive/*', 'exit-status/unexpected-exit', ...LOST],
    confidence: 'medium',
    when: (c) => stopOnSurvivable(c) !== undefined,
    cause: (c) => {
      const { signal, fact } = stopOnSurvivable(c)!;
      return `${signal} stops ${name(c)}${when(fact)}: ${fact.words}. The scenario expects it to survive ${signal} (a reload or a log rotation sends it).`;
    },
    fix: (c) => {
      const { signal, fact } = stopOnSurvivable(c)!;
      const settings = settingsFor(c, signal);
      const other = c.server!.server.signals.filter((s) => s.signal === signal && !STOPS.includes(s.meaning)).map((s) => `${s.when ?? 'otherwise'} ${signal} ${s.words}`);
      return `${settings.length ? `Change it with ${settings.join('; ')}` : `Do not send ${signal} to ${name(c)}`}${other.length ? ` (${other.join('; ')})` : ''}, or have the sender (logrotate's postrotate, a reload script) use another signal. ${documented(fact)}`;
    },
    source: (c) => sourceOf(c, stopOnSurvivable(c)?.fact),
  },
  {
    id: 'server-stop-during-reload',
    reads: "a catalogued server hung until SIGKILL after a stop signal sent within 5 s of a signal its documentation calls a reload",
    explains: [...HANG, ...LOST],
    confidence: 'medium',
    when: (c) => stopDuringReload(c) !== undefined,
    cause: (c) => {
      const { reload, gapMs, fact } = stopDuringReload(c)!;
      return `${c.first!.signal} came ${Math.round(gapMs)} ms after ${reload}, while ${name(c)} was still reloading (${reload}: ${fact.words}), and was never acted on: ${name(c)} kept running until the grace period ended in SIGKILL.`;
    },
    fix: (c) =>
      `Let the reload finish (its new workers serving) before stopping ${name(c)}, or repeat the stop signal until it exits; a stop dropped during a reload is a bug of the server worth reporting upstream with the replayed schedule. ${documented(stopDuringReload(c)!.fact)}`,
    source: (c) => sourceOf(c, stopDuringReload(c)?.fact),
  },
];

/** After every other entry: what the catalogue says the signal does, rather than "cause unknown". */
export const SERVER_LAST: Entry[] = [
  {
    id: 'server-documented',
    reads: 'a catalogued server got a signal whose documented meaning fits the failure (or, for an exit status, any documented meaning)',
    explains: [...HANG, ...LOST, 'alive/*', 'exit-status/*', 'second-signal/*', 'handles/*', 'acked-writes/*', 'jobs/*', 'dependencies/*'],
    confidence: 'medium',
    when: (c, f) => documentedFact(c, f) !== undefined,
    cause: (c, f) => {
      const fact = documentedFact(c, f)!;
      return `${fact.signal} is documented for ${name(c)} as ${MEANING_WORDS[fact.meaning]}${when(fact)}: ${fact.words}.`;
    },
    fix: documentedFix,
    source: (c, f) => sourceOf(c, documentedFact(c, f)),
  },
];
