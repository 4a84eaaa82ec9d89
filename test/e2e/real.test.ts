import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/session/run.js';

// A slice of the real-server corpus (scenarios/real/, all of it: npm run real): Debian's servers, each scenario
// written from the server's documentation, each verdict the one the documentation predicts. A 1 MiB download
// (~4 s) is in flight when the scheduled signal lands 500 ms in.
const reportDir = mkdtempSync(join(tmpdir(), 'sigstorm-real-'));
const MiB = 1024 * 1024;
const failing = (report: { failures: { oracle: string; kind?: string }[] }) => report.failures.map((f) => `${f.oracle}/${f.kind}`);
const documented = (scenario: string) =>
  (JSON.parse(readFileSync('targets/real/corpus.json', 'utf8')) as { scenarios: { scenario: string; expect: string }[] }).scenarios.find(
    (s) => s.scenario === scenario,
  )!.expect;

describe('real servers', () => {
  it("nginx in a pod whose preStop only sends `nginx -s quit`: the kubelet's SIGTERM right after it cuts the drain, as documented", async () => {
    const { report } = await run('scenarios/real/nginx-k8s-quit.yml', { backend: 'process', reportDir });
    expect(failing(report)).toEqual([documented('nginx-k8s-quit')]);
    const failure = report.results.find((r) => r.verdict === 'fail')!;
    expect(failure.diagnosis?.id).toBe('prestop-returns-early');
    const steps = report.trial!.stop!.steps;
    const end = steps.find((s) => s.step === 'hook-end')!;
    expect(end.detail).toBe('exit 0');
    // The kubelet's SIGTERM is its next move once the hook returned, with no wait of its own: checked by the steps'
    // order (the endpoints' update may fall between), not by a gap a busy machine stretches.
    const next = steps.slice(steps.indexOf(end) + 1).filter((s) => s.step !== 'traffic-stop');
    expect(next[0]).toMatchObject({ step: 'signal', detail: 'SIGTERM→main' });
    expect(next[0]!.atMs).toBeGreaterThanOrEqual(end.atMs);
    expect(report.trial!.ledger[0]).toMatchObject({ path: '/big', outcome: 'truncated' });
  });

  it('the same pod with a preStop that sleeps, sends QUIT and waits for nginx to exit: the download finishes and it passes', async () => {
    const { report } = await run('scenarios/real/nginx-k8s-quit-wait.yml', { backend: 'process', reportDir });
    expect(documented('nginx-k8s-quit-wait')).toBe('pass');
    expect(failing(report)).toEqual([]);
    expect(report.trial!.ledger[0]).toMatchObject({ path: '/big', outcome: 'ok', bytes: MiB });
    expect(report.trial!.exit).toMatchObject({ status: 0, forcedKill: false });
  });

  it("nginx stopped by Debian's own systemd unit (ExecStop: QUIT via start-stop-daemon, KillMode=mixed) finishes the download and passes", async () => {
    const { report } = await run('scenarios/real/nginx-systemd.yml', { backend: 'process', reportDir });
    expect(documented('nginx-systemd')).toBe('pass');
    expect(failing(report)).toEqual([]);
    const trial = report.trial!;
    // Read from the unit: KillMode=mixed, TimeoutStopSec=5; the hook sent nginx its graceful QUIT itself.
    expect(trial.stop!.settings).toMatchObject({ model: 'systemd', killMode: 'mixed', timeoutStopMs: 5000 });
    expect(trial.stop!.steps.map((s) => s.step)).toEqual(['begin', 'hook-start', 'main-exit', 'hook-end']);
    expect(trial.ledger[0]).toMatchObject({ path: '/big', outcome: 'ok', bytes: MiB });
    expect(trial.exit).toMatchObject({ status: 0, forcedKill: false });
  });

  it("apache2's graceful stop (WINCH) finishes the download and passes (its parent reaps exited children once a second)", async () => {
    const { report } = await run('scenarios/real/apache2-winch.yml', { backend: 'process', reportDir });
    expect(documented('apache2-winch')).toBe('pass');
    expect(failing(report)).toEqual([]);
    expect(report.trial!.ledger[0]).toMatchObject({ path: '/big', outcome: 'ok', bytes: MiB });
    expect(report.trial!.exit).toMatchObject({ status: 0, forcedKill: false });
  });

  it("gunicorn's quick shutdown (INT) cuts the download in flight: lost-requests/truncated, as documented", async () => {
    const { report } = await run('scenarios/real/gunicorn-int.yml', { backend: 'process', reportDir });
    expect(failing(report)).toEqual([documented('gunicorn-int')]);
    const [download] = report.trial!.ledger;
    expect(download).toMatchObject({ path: '/big', outcome: 'truncated', expectedBytes: MiB });
    expect(download!.bytes).toBeLessThan(MiB);
  });

  it("haproxy's master-worker reload (USR2) keeps it alive and its old worker finishes the download", async () => {
    const { report } = await run('scenarios/real/haproxy-usr2.yml', { backend: 'process', reportDir });
    expect(failing(report)).toEqual([]);
    expect(report.results.find((r) => r.oracle === 'alive')).toMatchObject({ verdict: 'pass' });
    const hupAt = report.trial!.events[0]!.deliveredMs!;
    const inFlight = report.trial!.ledger.filter((r) => r.sentMs < hupAt);
    expect(inFlight.length).toBeGreaterThan(0);
    expect(inFlight.every((r) => r.outcome === 'ok' && r.bytes === MiB && r.endMs > hupAt + 1000)).toBe(true);
  });

  it("apache2's restart now (HUP) keeps the parent alive but kills the children: alive holds, the download is cut", async () => {
    const { report } = await run('scenarios/real/apache2-hup.yml', { backend: 'process', reportDir });
    expect(failing(report)).toEqual([documented('apache2-hup')]);
    expect(report.results.find((r) => r.oracle === 'alive')).toMatchObject({ verdict: 'pass' });
    // and the diagnosis says so from Apache's own documentation, naming its graceful restart
    const cut = report.results.find((r) => r.verdict === 'fail')!;
    expect(cut.diagnosis).toMatchObject({ id: 'server-documented', server: 'apache-httpd' });
    expect(cut.diagnosis!.fix).toMatch(/Reload it with SIGUSR1/);
  });

  // uWSGI and Puma (apt-get install uwsgi uwsgi-plugin-python3 puma): the two cases of issue #30, each with its twin.
  it("uWSGI takes the docker stop (SIGTERM) for a brutal reload: the download is cut, it comes back, SIGKILL; the diagnosis names the hook", async () => {
    const { report } = await run('scenarios/real/uwsgi-term.yml', { backend: 'process', reportDir });
    expect(failing(report)).toContain(documented('uwsgi-term'));
    expect(report.trial!.exit).toMatchObject({ status: 137, forcedKill: true });
    for (const f of report.results.filter((r) => r.verdict === 'fail')) {
      expect(f.diagnosis).toMatchObject({ id: 'server-stop-is-reload', server: 'uwsgi' });
      expect(f.diagnosis!.fix).toContain('unix_signal:15 gracefully_kill_them_all');
    }
  });

  it('uWSGI with --hook-master-start "unix_signal:15 gracefully_kill_them_all" stops on SIGTERM and the download finishes', async () => {
    const { report } = await run('scenarios/real/uwsgi-term-hook.yml', { backend: 'process', reportDir });
    expect(documented('uwsgi-term-hook')).toBe('pass');
    expect(failing(report)).toEqual([]);
    expect(report.trial!.ledger[0]).toMatchObject({ path: '/big', outcome: 'ok', bytes: MiB });
    expect(report.trial!.exit).toMatchObject({ status: 0, forcedKill: false });
  });

  it('Puma without stdout_redirect stops on the HUP log rotation sends: the alive check fails, and the diagnosis names stdout_redirect', async () => {
    const { report } = await run('scenarios/real/puma-hup.yml', { backend: 'process', reportDir });
    expect(failing(report)).toContain(documented('puma-hup'));
    const alive = report.results.find((r) => r.oracle === 'alive')!;
    expect(alive.diagnosis).toMatchObject({ id: 'server-signal-stops', server: 'puma' });
    expect(alive.diagnosis!.fix).toMatch(/stdout_redirect/);
  });
});
