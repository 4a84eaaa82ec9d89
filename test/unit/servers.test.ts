import { existsSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/oracles/diagnose.js';
import { serverSignalNotes, untestedSignals } from '../../src/scenario/coverage.js';
import { loadScenario } from '../../src/scenario/load.js';
import { serverNamed, wordsOf } from '../../src/servers/named.js';
import { factsFor, holdsFor, serverOf } from '../../src/oracles/server.js';
import type { OracleResult } from '../../src/oracles/verdict.js';
import { SERVERS } from '../../src/servers/catalogue.js';
import { MEANINGS, type Source } from '../../src/servers/server.js';
import type { TrialRecord } from '../../src/trial/record.js';

// The server signal catalogue (src/servers/), recognising a server from a trial record (src/oracles/server.ts) and
// the diagnoses it drives (src/oracles/server-diagnoses.ts), over saved records of real runs of the real-server corpus
// (scripts/diagnosis-fixtures.mjs with OUT=test/fixtures/servers): scenarios/real/*.yml, and the two reload races of
// targets/real/corpus.json played with the schedule that meets them (USR2 then USR1 40 ms later to haproxy, USR1
// then INT 75 ms later to lighttpd).
interface Fixture {
  verdict: string;
  results: OracleResult[];
  trial: TrialRecord;
}
const saved = (name: string): Fixture => JSON.parse(readFileSync(`test/fixtures/servers/${name}.process.json`, 'utf8')) as Fixture;
const zoo = (name: string): Fixture => JSON.parse(readFileSync(`test/fixtures/diagnosis/${name}.process.json`, 'utf8')) as Fixture;
const corpus = (JSON.parse(readFileSync('targets/real/corpus.json', 'utf8')) as { scenarios: { scenario: string }[] }).scenarios.map((s) => s.scenario);

const sources = (): { where: string; source: Source }[] =>
  SERVERS.flatMap((s) => [
    ...s.signals.map((f) => ({ where: `${s.id} ${f.signal} ${f.meaning}`, source: f.source })),
    ...s.settings.map((t) => ({ where: `${s.id} setting ${t.name}`, source: t.source })),
    { where: `${s.id} graceful stop`, source: s.gracefulStop.source },
  ]);

describe('the catalogue', () => {
  it('covers at least 20 servers, each named once', () => {
    expect(SERVERS.length).toBeGreaterThanOrEqual(20);
    expect(new Set(SERVERS.map((s) => s.id)).size).toBe(SERVERS.length);
    expect(new Set(SERVERS.map((s) => s.name)).size).toBe(SERVERS.length);
  });

  it('gives every fact a source: an https address and the sentence quoted from it', () => {
    for (const { where, source } of sources()) {
      expect(source.url, where).toMatch(/^https:\/\/\S+$/);
      expect(source.quote.trim().length, where).toBeGreaterThan(5);
    }
  });

  it('names real signals, meanings of its list, words for each, and versions the recogniser can compare', () => {
    for (const s of SERVERS) {
      expect(s.signals.length, s.id).toBeGreaterThan(0);
      for (const f of s.signals) {
        expect(Object.keys(constants.signals), `${s.id} ${f.signal}`).toContain(f.signal);
        expect(MEANINGS, `${s.id} ${f.signal}`).toContain(f.meaning);
        expect(f.words.length, `${s.id} ${f.signal}`).toBeGreaterThan(3);
        if (f.versions) expect(f.versions, `${s.id} ${f.signal}`).toMatch(/^(>=|<)\d+(\.\d+)?$/);
      }
      for (const t of s.settings) for (const sig of t.signals) expect(Object.keys(constants.signals), `${s.id} ${t.name}`).toContain(sig);
      if (s.gracefulStop.signal) expect(Object.keys(constants.signals)).toContain(s.gracefulStop.signal);
    }
  });

  it('recognises by patterns that compile, and says "verified" only for corpus scenarios that exist', () => {
    for (const s of SERVERS) {
      for (const re of Object.values(s.recognise ?? {})) expect(() => new RegExp(re as string), s.id).not.toThrow();
      for (const v of s.verified) {
        expect(existsSync(`scenarios/real/${v}.yml`), `${s.id}: ${v}`).toBe(true);
        expect(corpus, `${s.id}: ${v} in targets/real/corpus.json`).toContain(v);
      }
    }
  });

  it('picks the facts of the version the banner printed, newest range first without one', () => {
    const caddy = SERVERS.find((s) => s.id === 'caddy')!;
    expect(holdsFor({ versions: '>=2' }, '2.7.6')).toBe(true);
    expect(holdsFor({ versions: '<2' }, '2.7.6')).toBe(false);
    expect(holdsFor({ versions: '<3.4' }, '3.3.1')).toBe(true);
    expect(holdsFor({ versions: '<3.4' }, '3.4.0')).toBe(false);
    expect(factsFor({ server: caddy, version: '1.0.5', evidence: '' }, 'SIGTERM').map((f) => f.meaning)).toEqual(['immediate-stop']);
    expect(factsFor({ server: caddy, version: '2.8.4', evidence: '' }, 'SIGTERM').map((f) => f.meaning)).toEqual(['graceful-stop']);
    expect(factsFor({ server: caddy, evidence: '' }, 'SIGTERM')[0]!.versions).toBe('>=2');
  });
});

describe('recognising the server in a saved record', () => {
  it.each([
    ['real-uwsgi-term', 'uwsgi', '2.0.21', /executable \/usr\/bin\/uwsgi-core/],
    ['real-uwsgi-term-hook', 'uwsgi', '2.0.21', /command name uwsgi/],
    ['real-puma-hup', 'puma', '5.6.5', /command name puma/],
    ['real-haproxy-term', 'haproxy', '2.6.12', /executable \/usr\/sbin\/haproxy/],
    ['real-apache2-term', 'apache-httpd', undefined, /executable \/usr\/sbin\/apache2/],
    ['real-lighttpd-term', 'lighttpd', '1.4.69', /banner .*lighttpd\/1\.4\.69/],
    ['real-gunicorn-int', 'gunicorn', '20.1.0', /command name gunicorn/],
    ['real-h2o-term', 'h2o', undefined, /executable \/usr\/bin\/h2o/],
    ['real-nginx-quit', 'nginx', '1.22.1', /executable \/usr\/sbin\/nginx/],
    ['real-unicorn-term', 'unicorn', undefined, /command name unicorn/],
    ['real-postgresql-int', 'postgresql', '15.18', /executable \/usr\/lib\/postgresql\/15\/bin\/postgres/],
    // Debian links redis-server to redis-check-rdb, the one binary
    ['real-redis-term', 'redis', '7.0.15', /executable \/usr\/bin\/redis-check-rdb, the command name redis-server/],
    // Caddy proxies to a Python backend, its child: the catalogue's order names Caddy, not the child
    ['real-caddy-quit', 'caddy', undefined, /executable \/usr\/bin\/caddy/],
  ])('%s: %s %s', (name, id, version, evidence) => {
    const found = serverOf(saved(name).trial)!;
    expect(found.server.id).toBe(id);
    expect(found.version).toBe(version);
    expect(found.evidence).toMatch(evidence);
  });

  it('from the banner alone when the processes say nothing (gunicorn runs as python3)', () => {
    const { trial } = saved('real-gunicorn-int');
    const anonymous = { ...trial, executables: [], samples: trial.samples.map((s) => ({ ...s, processes: s.processes.map((p) => ({ ...p, comm: 'python3' })) })) };
    expect(serverOf(anonymous)).toMatchObject({ server: { id: 'gunicorn' }, version: '20.1.0' });
  });

  it.each(['return-on-close', 'python-shutdown-return', 'node-close-then-exit', 'jvm-no-hook', 'shell-form'])('no server in the zoo service %s', (name) => {
    expect(serverOf(zoo(name).trial)).toBeUndefined();
  });
});

/** Each failure's diagnosis id, by `oracle/kind`. */
const diagnosed = (f: Fixture) =>
  Object.fromEntries(diagnose(f.trial, f.results).filter((r) => r.diagnosis).map((r) => [`${r.oracle}/${r.kind}`, r.diagnosis!]));

describe('diagnoses from the catalogue, on saved records of the real servers', () => {
  it.each([
    // the first case: uWSGI takes the docker stop for a reload, cuts the download and comes back
    ['real-uwsgi-term', ['exit-status/killed', 'deadline/sigkill-needed', 'lost-requests/truncated'], 'server-stop-is-reload', 'uwsgi', /unix_signal:15 gracefully_kill_them_all/],
    // the second case: Puma stops on the HUP log rotation sends (it closes its listener and drains)
    ['real-puma-hup', ['alive/not-ready'], 'server-signal-stops', 'puma', /stdout_redirect/],
    // and re-raises the SIGTERM of the stop at the end after draining: 143, as its launcher does by default
    ['real-puma-hup', ['exit-status/wrong-status'], 'server-documented', 'puma', /raise_exception_on_sigterm false/],
    ['real-haproxy-term', ['lost-requests/truncated'], 'fast-shutdown', 'haproxy', /SIGUSR1/],
    ['real-apache2-term', ['lost-requests/truncated'], 'fast-shutdown', 'apache-httpd', /SIGWINCH/],
    ['real-apache2-hup', ['lost-requests/truncated'], 'server-documented', 'apache-httpd', /Reload it with SIGUSR1/],
    ['real-lighttpd-term', ['lost-requests/truncated'], 'fast-shutdown', 'lighttpd', /SIGINT/],
    ['real-lighttpd-term', ['exit-status/wrong-status'], 'server-documented', 'lighttpd', /SIGINT/],
    ['real-gunicorn-int', ['lost-requests/truncated'], 'fast-shutdown', 'gunicorn', /graceful stop, SIGTERM/],
    ['real-unicorn-term', ['lost-requests/truncated'], 'fast-shutdown', 'unicorn', /graceful stop, SIGQUIT/],
    ['real-caddy-quit', ['lost-requests/truncated'], 'fast-shutdown', 'caddy', /graceful stop, SIGTERM/],
    ['real-caddy-quit', ['exit-status/wrong-status'], 'server-documented', 'caddy', /graceful stop, SIGTERM/],
    // a query aborted (exec client: psql's session ended), not a download cut: the server's fast stop all the same
    ['real-postgresql-int', ['lost-requests/in-flight-lost'], 'server-fast-stop', 'postgresql', /graceful stop, SIGTERM \(pg_ctl stop -m smart\)/],
    // the corpus's two findings: a stop sent while the server still reloads is dropped
    ['race-haproxy-usr2-usr1', ['exit-status/killed', 'deadline/sigkill-needed', 'lost-requests/truncated'], 'server-stop-during-reload', 'haproxy', /Let the reload finish/],
    ['race-lighttpd-usr1-int', ['exit-status/killed', 'deadline/sigkill-needed', 'lost-requests/truncated'], 'server-stop-during-reload', 'lighttpd', /Let the reload finish/],
  ])('%s %j: %s', (name, failures, id, server, fix) => {
    const fixture = saved(name);
    const got = diagnosed(fixture);
    const entry = SERVERS.find((s) => s.id === server)!;
    const urls = [...entry.signals.map((f) => f.source.url), ...entry.settings.map((t) => t.source.url)];
    for (const failure of failures) {
      const d = got[failure];
      expect(d?.id, failure).toBe(id);
      expect(d!.server).toBe(server);
      expect(urls).toContain(d!.source!.url);
      expect(d!.fix).toMatch(fix);
      expect(d!.fix).toContain(d!.source!.url);
      expect(d!.cause).toContain(entry.name);
      expect(d!.cause).toMatch(/^[A-Z].*\.$/s);
      expect(d!.fix).toMatch(/^[A-Z].*\.$/s);
    }
  });

  it('never leaves a corpus failure at "cause unknown"', () => {
    for (const name of ['real-uwsgi-term', 'real-puma-hup', 'real-haproxy-term', 'real-apache2-term', 'real-apache2-hup', 'real-lighttpd-term', 'real-gunicorn-int', 'real-unicorn-term', 'real-caddy-quit', 'real-postgresql-int', 'race-haproxy-usr2-usr1',
      'race-lighttpd-usr1-int']) {
      const fixture = saved(name);
      expect(fixture.verdict).toBe('fail');
      for (const r of diagnose(fixture.trial, fixture.results)) if (r.verdict === 'fail') expect(r.diagnosis?.id, `${name} ${r.oracle}/${r.kind}`).not.toBe('unknown');
    }
  });

  it.each(['real-uwsgi-term-hook', 'real-puma-hup-redirect', 'real-gunicorn-term', 'real-h2o-term', 'real-nginx-quit', 'real-unicorn-quit', 'real-caddy-term', 'real-redis-term', 'real-postgresql-term'])('the fixed twin %s passes with no diagnosis', (name) => {
    const fixture = saved(name);
    expect(fixture.verdict).toBe('pass');
    expect(diagnose(fixture.trial, fixture.results).filter((r) => r.diagnosis)).toEqual([]);
  });

  it('speaks of nginx in the zoo ground truth, keeping its id (fast-shutdown)', () => {
    const d = diagnosed(zoo('nginx-term'))['lost-requests/truncated']!;
    expect(d).toMatchObject({ id: 'fast-shutdown', server: 'nginx', source: { url: 'https://nginx.org/en/docs/control.html' } });
    expect(d.fix).toMatch(/SIGQUIT \(nginx -s quit/);
  });

  it('is led by the evidence: the same uWSGI record with nothing naming uWSGI gets no uWSGI words', () => {
    const { trial, results } = saved('real-uwsgi-term');
    const anonymous: TrialRecord = {
      ...trial,
      executables: [],
      samples: trial.samples.map((s) => ({ ...s, processes: s.processes.map((p) => ({ ...p, comm: 'server' })) })),
      logs: trial.logs.filter((l) => !/uWSGI/i.test(l.text)),
    };
    for (const d of Object.values(diagnosed({ verdict: 'fail', trial: anonymous, results }))) {
      expect(d.id).not.toMatch(/^server-/);
      expect(d.server).toBeUndefined();
    }
  });
});

describe('notes from the catalogue on what a scenario expects (validate, reports)', () => {
  const notes = async (name: string) => serverSignalNotes((await loadScenario(`scenarios/real/${name}.yml`)).coverage).map((n) => n.message);

  it('names the server from the command or the image', () => {
    expect(serverNamed(wordsOf(['sh', '../../targets/real/uwsgi/run.sh']))?.id).toBe('uwsgi');
    expect(serverNamed(wordsOf([], 'nginx:1.25-alpine'))?.id).toBe('nginx');
    expect(serverNamed(wordsOf([], 'docker.io/library/httpd:2.4'))?.id).toBe('apache-httpd');
    expect(serverNamed(wordsOf(['gunicorn', '--bind', '0.0.0.0:8000', 'app:app']))?.id).toBe('gunicorn');
    expect(serverNamed(wordsOf(['python3', 'service.py'], 'python:3.12-slim'))).toBeUndefined();
  });

  it("says a SIGTERM expected to stop uWSGI does so only with the hook (the issue's words)", async () => {
    expect(await notes('uwsgi-term')).toEqual([expect.stringMatching(/^this scenario expects SIGTERM to stop uWSGI gracefully, which it does only with --hook-master-start "unix_signal:15 gracefully_kill_them_all"; otherwise: a brutal reload/)]);
  });

  it('says Puma stops on the HUP it is expected to survive, unless stdout is redirected', async () => {
    expect(await notes('puma-hup')).toEqual([expect.stringMatching(/^this scenario expects Puma to survive SIGHUP, which its documentation calls a stop: .*; with stdout_redirect: reopens the log files/)]);
  });

  it("names a fast stop and the graceful one to use, and says nothing where the expectation is the documented graceful path", async () => {
    expect(await notes('haproxy-term')).toEqual([expect.stringMatching(/^SIGTERM is HAProxy's documented fast stop .*its graceful stop is SIGUSR1/)]);
    expect(await notes('nginx-quit')).toEqual([]);
    expect(await notes('gunicorn-term')).toEqual([]);
    expect(await notes('apache2-usr1')).toEqual([]);
  });

  it('keeps them apart from the untested-signal notes', async () => {
    const { coverage } = await loadScenario('scenarios/real/uwsgi-term.yml');
    expect(untestedSignals(coverage).every((n) => n.signal !== undefined && !n.message.includes('uWSGI'))).toBe(true);
  });
});
