import type { ServerEntry, Source } from './server.js';

// What popular servers do with each signal, as their own documentation (or, where it documents nothing, their
// source) says, quoted. `verified` names the scenarios of scenarios/real/ that check a fact on the Debian package;
// the rest is documented, not verified here. Order matters to the recogniser: more specific entries first (Spring
// Boot before the JVM it runs on).

const NGINX: Source = { url: 'https://nginx.org/en/docs/control.html', quote: '' };
const nginx = (quote: string): Source => ({ ...NGINX, quote });
const APACHE = 'https://httpd.apache.org/docs/2.4/stopping.html';
const HAPROXY = 'https://docs.haproxy.org/2.6/management.html#4';
const HAPROXY_TERM =
  'when the SIGTERM signal is sent to the haproxy process, it immediately quits and all established connections are closed. The graceful stop is triggered when the SIGUSR1 signal is sent to the haproxy process.';
const LIGHTTPD = 'https://github.com/lighttpd/lighttpd1.4/blob/master/doc/initscripts.txt';
const GUNICORN = 'https://docs.gunicorn.org/en/stable/signals.html';
const UWSGI = 'https://uwsgi-docs.readthedocs.io/en/latest/Management.html';
const GALAXY_UWSGI = 'https://docs.galaxyproject.org/en/master/admin/scaling.html';
const PUMA = 'https://github.com/puma/puma/blob/master/docs/signals.md';
const PUMA_LAUNCHER = 'https://github.com/puma/puma/blob/master/lib/puma/launcher.rb';
const UNICORN = 'https://yhbt.net/unicorn/SIGNALS.html';
const PHP_FPM = 'https://github.com/php/php-src/blob/master/sapi/fpm/php-fpm.8.in';
const POSTGRES = 'https://www.postgresql.org/docs/current/server-shutdown.html';
const REDIS = 'https://redis.io/docs/reference/signals';
const MYSQL = 'https://dev.mysql.com/doc/refman/8.4/en/unix-signal-response.html';
const SIDEKIQ = 'https://github.com/sidekiq/sidekiq/wiki/Signals';
const H2O = 'https://manpages.debian.org/bookworm/h2o/h2o.8.en.html';

const NGINX_ENTRY: ServerEntry = {
  id: 'nginx',
  name: 'nginx',
  versions: 'all',
  recognise: { exe: '^nginx$', comm: '^nginx$', banner: '\\bnginx/(\\d+\\.\\d+(?:\\.\\d+)?)' },
  signals: [
    { signal: 'SIGTERM', meaning: 'immediate-stop', words: 'fast shutdown: responses in flight are cut', source: nginx('TERM, INT  fast shutdown') },
    { signal: 'SIGINT', meaning: 'immediate-stop', words: 'fast shutdown: responses in flight are cut', source: nginx('TERM, INT  fast shutdown') },
    { signal: 'SIGQUIT', meaning: 'graceful-stop', words: 'graceful shutdown: workers finish their requests', source: nginx('QUIT  graceful shutdown') },
    {
      signal: 'SIGHUP',
      meaning: 'graceful-reload',
      words: 'reload: new workers with the new configuration, old workers finish their requests',
      source: nginx(
        'HUP  changing configuration, keeping up with a changed time zone (only for FreeBSD and Linux), starting new worker processes with a new configuration, graceful shutdown of old worker processes',
      ),
    },
    { signal: 'SIGUSR1', meaning: 'reopen-logs', words: 're-opening log files', source: nginx('USR1  re-opening log files') },
    { signal: 'SIGUSR2', meaning: 'other', words: 'upgrading the executable on the fly (a new master beside the old one)', source: nginx('USR2  upgrading an executable file') },
    { signal: 'SIGWINCH', meaning: 'other', words: 'graceful shutdown of the worker processes; the master stays', source: nginx('WINCH  graceful shutdown of worker processes') },
  ],
  settings: [
    {
      name: 'nginx -s quit',
      effect: 'sends QUIT to the master (the graceful shutdown) and returns at once, without waiting for it to end',
      signals: ['SIGQUIT'],
      source: { url: 'https://nginx.org/en/docs/beginners_guide.html', quote: 'quit — graceful shutdown' },
    },
    {
      name: 'worker_shutdown_timeout',
      effect: 'bounds the graceful shutdown: when it expires the connections still open are closed',
      signals: ['SIGQUIT', 'SIGHUP'],
      source: { url: 'https://nginx.org/en/docs/ngx_core_module.html#worker_shutdown_timeout', quote: 'Configures a timeout for a graceful shutdown of worker processes.' },
    },
  ],
  gracefulStop: { how: 'SIGQUIT (nginx -s quit; STOPSIGNAL SIGQUIT in the official image)', signal: 'SIGQUIT', source: nginx('QUIT  graceful shutdown') },
  verified: ['nginx-quit', 'nginx-term', 'nginx-hup', 'nginx-systemd', 'nginx-k8s-quit', 'nginx-k8s-quit-wait'],
};

const APACHE_ENTRY: ServerEntry = {
  id: 'apache-httpd',
  name: 'Apache httpd',
  versions: '2.4',
  recognise: { exe: '^(apache2|httpd)$', comm: '^(apache2|httpd)$' },
  signals: [
    {
      signal: 'SIGTERM',
      meaning: 'immediate-stop',
      words: 'stop now: the children are killed, requests in progress are terminated',
      source: {
        url: `${APACHE}#term`,
        quote: 'Sending the TERM or stop signal to the parent causes it to immediately attempt to kill off all of its children. ... Any requests in progress are terminated, and no further requests are served.',
      },
    },
    {
      signal: 'SIGWINCH',
      meaning: 'graceful-stop',
      words: 'graceful stop: children exit after their current request, then the parent',
      source: {
        url: `${APACHE}#gracefulstop`,
        quote: 'The WINCH or graceful-stop signal causes the parent process to advise the children to exit after their current request (or to exit immediately if they\'re not serving anything).',
      },
    },
    {
      signal: 'SIGUSR1',
      meaning: 'graceful-reload',
      words: 'graceful restart: children exit after their current request, the parent stays',
      source: {
        url: `${APACHE}#graceful`,
        quote: 'The USR1 or graceful signal causes the parent process to advise the children to exit after their current request (or to exit immediately if they\'re not serving anything).',
      },
    },
    {
      signal: 'SIGHUP',
      meaning: 'reload',
      words: 'restart now: the children are killed like on TERM (requests in progress cut), the parent stays and re-reads its configuration',
      source: {
        url: `${APACHE}#hup`,
        quote: 'Sending the HUP or restart signal to the parent causes it to kill off its children like in TERM, but the parent doesn\'t exit.',
      },
    },
  ],
  settings: [
    {
      name: 'GracefulShutdownTimeout',
      effect: 'bounds the graceful stop: the parent exits when it expires, children or not',
      signals: ['SIGWINCH'],
      source: {
        url: `${APACHE}#gracefulstop`,
        quote: 'Once all children have finalised and exited or the timeout specified by the GracefulShutdownTimeout has been reached, the parent will also exit.',
      },
    },
  ],
  gracefulStop: {
    how: 'SIGWINCH (apachectl -k graceful-stop; STOPSIGNAL SIGWINCH in the official httpd image)',
    signal: 'SIGWINCH',
    source: { url: `${APACHE}#gracefulstop`, quote: 'The WINCH or graceful-stop signal causes the parent process to advise the children to exit after their current request' },
  },
  verified: ['apache2-winch', 'apache2-term', 'apache2-usr1', 'apache2-hup'],
};

const HAPROXY_ENTRY: ServerEntry = {
  id: 'haproxy',
  name: 'HAProxy',
  versions: '2.x (master-worker mode, -W)',
  recognise: { exe: '^haproxy$', comm: '^haproxy$', banner: 'haproxy version is (\\d+\\.\\d+(?:\\.\\d+)?)' },
  signals: [
    { signal: 'SIGTERM', meaning: 'immediate-stop', words: 'hard stop: it quits at once and closes every established connection', source: { url: HAPROXY, quote: HAPROXY_TERM } },
    {
      signal: 'SIGUSR1',
      meaning: 'graceful-stop',
      words: 'soft stop: unbinds its listeners and serves the existing connections until they close',
      source: {
        url: HAPROXY,
        quote: 'It consists in only unbinding from listening ports, but continue to process existing connections until they close. Once the last connection is closed, the process leaves.',
      },
    },
    {
      signal: 'SIGUSR2',
      meaning: 'graceful-reload',
      words: 'reload (master-worker): new workers, the old ones soft-stop',
      when: 'master-worker mode (-W)',
      source: { url: 'https://manpages.debian.org/bookworm/haproxy/haproxy.1.en.html', quote: 'SIGUSR2  In master-worker mode, reloads the configuration and sends a soft-stop signal to old processes.' },
    },
  ],
  settings: [
    {
      name: 'hard-stop-after',
      effect: 'bounds the soft stop: connections still open when it expires are closed',
      signals: ['SIGUSR1', 'SIGUSR2'],
      source: { url: 'https://docs.haproxy.org/2.6/configuration.html#3.1-hard-stop-after', quote: 'Defines the maximum time allowed to perform a clean soft-stop.' },
    },
  ],
  gracefulStop: { how: 'SIGUSR1 (soft stop; STOPSIGNAL SIGUSR1 in the official image)', signal: 'SIGUSR1', source: { url: HAPROXY, quote: HAPROXY_TERM } },
  verified: ['haproxy-usr1', 'haproxy-term', 'haproxy-usr2'],
};

const LIGHTTPD_ENTRY: ServerEntry = {
  id: 'lighttpd',
  name: 'lighttpd',
  versions: '1.4',
  recognise: { exe: '^lighttpd$', comm: '^lighttpd$', banner: 'server started \\(lighttpd/(\\d+\\.\\d+(?:\\.\\d+)?)\\)' },
  signals: [
    {
      signal: 'SIGTERM',
      meaning: 'immediate-stop',
      words: 'immediate shutdown: existing connections are terminated (and it exits 1)',
      source: { url: LIGHTTPD, quote: 'SIGTERM - shut down immediately (terminate existing connections, then exit)' },
    },
    { signal: 'SIGINT', meaning: 'graceful-stop', words: 'graceful shutdown: existing connections are served', source: { url: LIGHTTPD, quote: 'SIGINT  - shut down gracefully (serve existing connections, then exit)' } },
    {
      signal: 'SIGUSR1',
      meaning: 'graceful-reload',
      words: 'graceful reload: existing connections are served, then the configuration reloaded',
      source: { url: LIGHTTPD, quote: 'SIGUSR1 - reload gracefully (serve existing connections, then reload config)' },
    },
    { signal: 'SIGHUP', meaning: 'reopen-logs', words: 're-open log files (no configuration reload)', source: { url: LIGHTTPD, quote: 'SIGHUP  - re-open log files (NOTE: does not reload lighttpd configuration)' } },
  ],
  settings: [],
  gracefulStop: { how: 'SIGINT', signal: 'SIGINT', source: { url: LIGHTTPD, quote: 'SIGINT  - shut down gracefully (serve existing connections, then exit)' } },
  verified: ['lighttpd-int', 'lighttpd-term', 'lighttpd-usr1'],
};

const CADDY_V2: Source = {
  url: 'https://caddy.community/t/looking-for-linux-signal-handling-details-for-caddy/15406',
  quote: 'Caddy initiates a graceful shutdown on SIGINT. A second SIGINT forces immediate exit. SIGQUIT causes immediate exit after cleaning up locks. SIGTERM is basically the same as SIGINT (but without the second-signal behavior).',
};
const CADDY_V1 = 'https://github.com/caddyserver/caddy/blob/v1.0.5/sigtrap_posix.go';
const CADDY_ENTRY: ServerEntry = {
  id: 'caddy',
  name: 'Caddy',
  versions: '1 and 2 (they differ; 2.6 verified)',
  recognise: { exe: '^caddy$', comm: '^caddy$' },
  signals: [
    { signal: 'SIGTERM', meaning: 'graceful-stop', words: 'graceful shutdown', versions: '>=2', source: CADDY_V2 },
    { signal: 'SIGINT', meaning: 'graceful-stop', words: 'graceful shutdown; a second SIGINT forces an immediate exit', versions: '>=2', source: CADDY_V2 },
    // the exit status is measured (caddy-quit: 2.6.2 exits 2), not documented
    { signal: 'SIGQUIT', meaning: 'immediate-stop', words: 'immediate exit after cleaning up locks (with status 2 here)', versions: '>=2', source: CADDY_V2 },
    {
      signal: 'SIGTERM',
      meaning: 'immediate-stop',
      words: 'exits at once after its exit hooks, without stopping the servers',
      versions: '<2',
      source: { url: CADDY_V1, quote: 'log.Println("[INFO] SIGTERM: Terminating process") ... os.Exit(0)' },
    },
    { signal: 'SIGQUIT', meaning: 'graceful-stop', words: 'stops the servers, then exits', versions: '<2', source: { url: CADDY_V1, quote: 'log.Println("[INFO] SIGQUIT: Shutting down") ... err := Stop()' } },
    { signal: 'SIGUSR1', meaning: 'reload', words: 'reloads the Caddyfile', versions: '<2', source: { url: CADDY_V1, quote: 'log.Println("[INFO] SIGUSR1: Reloading")' } },
  ],
  settings: [],
  gracefulStop: { how: 'SIGTERM or caddy stop (Caddy 2); SIGQUIT (Caddy 1)', signal: 'SIGTERM', source: CADDY_V2 },
  verified: ['caddy-term', 'caddy-quit'],
};

const H2O_ENTRY: ServerEntry = {
  id: 'h2o',
  name: 'h2o',
  versions: '2.2 (-m master)',
  recognise: { exe: '^h2o$', comm: '^h2o$', banner: '^start_server \\(pid:\\d+\\) starting now' },
  signals: [
    {
      signal: 'SIGTERM',
      meaning: 'graceful-stop',
      words: 'stop (the worker shuts down gracefully)',
      source: { url: 'https://manpages.debian.org/bookworm/h2o/h2o.conf.5.en.html', quote: 'To stop the server, send SIGTERM to the server.' },
    },
    {
      signal: 'SIGHUP',
      meaning: 'graceful-reload',
      words: 'reconfigure or upgrade without downtime',
      when: 'master mode (-m master)',
      source: { url: H2O, quote: 'SIGHUP can be sent to the master process to reconfigure or upgrade the server without service downtime.' },
    },
  ],
  settings: [],
  gracefulStop: { how: 'SIGTERM', signal: 'SIGTERM', source: { url: 'https://manpages.debian.org/bookworm/h2o/h2o.conf.5.en.html', quote: 'To stop the server, send SIGTERM to the server.' } },
  verified: ['h2o-term', 'h2o-hup'],
};

const GUNICORN_ENTRY: ServerEntry = {
  id: 'gunicorn',
  name: 'gunicorn',
  versions: '20+',
  recognise: { comm: '^gunicorn', banner: '\\[INFO\\] Starting gunicorn (\\d+\\.\\d+(?:\\.\\d+)?)' },
  signals: [
    {
      signal: 'SIGTERM',
      meaning: 'graceful-stop',
      words: 'graceful shutdown: workers finish their current requests, up to graceful_timeout',
      source: { url: GUNICORN, quote: 'TERM: Graceful shutdown. Waits for workers to finish their current requests up to the graceful timeout.' },
    },
    { signal: 'SIGINT', meaning: 'immediate-stop', words: 'quick shutdown', source: { url: GUNICORN, quote: 'QUIT, INT: Quick shutdown' } },
    { signal: 'SIGQUIT', meaning: 'immediate-stop', words: 'quick shutdown', source: { url: GUNICORN, quote: 'QUIT, INT: Quick shutdown' } },
    {
      signal: 'SIGHUP',
      meaning: 'graceful-reload',
      words: 'reload: new workers, the old ones shut down gracefully',
      source: {
        url: GUNICORN,
        quote: 'HUP: Reload the configuration, start the new worker processes with a new configuration and gracefully shutdown older workers.',
      },
    },
  ],
  settings: [
    {
      name: 'graceful_timeout (--graceful-timeout, 30 s by default)',
      effect: 'how long workers may finish their requests after TERM or HUP before they are killed',
      signals: ['SIGTERM', 'SIGHUP'],
      source: { url: 'https://docs.gunicorn.org/en/stable/settings.html#graceful-timeout', quote: 'Timeout for graceful workers restart.' },
    },
  ],
  gracefulStop: { how: 'SIGTERM', signal: 'SIGTERM', source: { url: GUNICORN, quote: 'TERM: Graceful shutdown.' } },
  verified: ['gunicorn-term', 'gunicorn-int', 'gunicorn-hup'],
};

const UWSGI_HOOK: Source = { url: GALAXY_UWSGI, quote: 'hook-master-start: unix_signal:15 gracefully_kill_them_all' };
const UWSGI_ENTRY: ServerEntry = {
  id: 'uwsgi',
  name: 'uWSGI',
  versions: '2.0 (with --master)',
  recognise: { exe: '^uwsgi(-core)?$', comm: '^uwsgi$', banner: '\\*\\*\\* Starting uWSGI (\\d+\\.\\d+(?:\\.\\d+)?)' },
  signals: [
    {
      signal: 'SIGTERM',
      meaning: 'reload',
      words: 'a brutal reload of the workers and the master, not a stop: requests in flight are cut and uWSGI comes back',
      when: 'without --die-on-term or a unix_signal:15 hook',
      source: { url: UWSGI, quote: 'SIGTERM  brutally reload all the workers and the master process (use --die-on-term to respect the convention of shutting down the instance)' },
    },
    {
      signal: 'SIGTERM',
      meaning: 'graceful-stop',
      words: 'graceful shutdown of the workers, then the master',
      when: 'with --hook-master-start "unix_signal:15 gracefully_kill_them_all"',
      source: UWSGI_HOOK,
    },
    { signal: 'SIGHUP', meaning: 'graceful-reload', words: 'graceful reload of the workers and the master', source: { url: UWSGI, quote: 'SIGHUP  gracefully reload all the workers and the master process' } },
    { signal: 'SIGINT', meaning: 'immediate-stop', words: 'kills the whole stack at once', source: { url: UWSGI, quote: 'SIGINT  immediately kill the entire uWSGI stack' } },
    { signal: 'SIGQUIT', meaning: 'immediate-stop', words: 'kills the whole stack at once', source: { url: UWSGI, quote: 'SIGQUIT  immediately kill the entire uWSGI stack' } },
    { signal: 'SIGUSR1', meaning: 'other', words: 'prints statistics', source: { url: UWSGI, quote: 'SIGUSR1  print statistics' } },
  ],
  settings: [
    {
      name: '--hook-master-start "unix_signal:15 gracefully_kill_them_all"',
      effect: 'makes SIGTERM a graceful stop: the master stops the workers gracefully (each finishes its request), then exits',
      signals: ['SIGTERM'],
      source: UWSGI_HOOK,
    },
    {
      name: '--die-on-term',
      effect: 'makes SIGTERM shut the whole stack down (and SIGQUIT the brutal reload) instead of reloading',
      signals: ['SIGTERM', 'SIGQUIT'],
      source: {
        url: 'https://uwsgi-docs.readthedocs.io/en/latest/Upstart.html',
        quote: 'die-on-term inverts the meanings of SIGTERM and SIGQUIT to uWSGI. The first will shutdown the whole stack, the second one will brutally reload it.',
      },
    },
    {
      name: '--worker-reload-mercy (60 s by default)',
      effect: 'how long a graceful stop waits for a worker before killing it: keep it under the orchestrator\'s grace period',
      signals: ['SIGTERM', 'SIGHUP'],
      source: {
        url: GALAXY_UWSGI,
        quote: 'When shutting down gracefully, uWSGI will wait 60 seconds (by default, but this can be changed with the `reload-mercy`, `worker-reload-mercy` and `mule-reload-mercy` options) for child processes to die before forcefully killing them with `SIGKILL` (signal 9).',
      },
    },
  ],
  gracefulStop: { how: 'SIGTERM with --hook-master-start "unix_signal:15 gracefully_kill_them_all" (or --die-on-term)', signal: 'SIGTERM', source: UWSGI_HOOK },
  verified: ['uwsgi-term', 'uwsgi-term-hook'],
};

const PUMA_HUP = 'HUP  reopen log files defined in stdout_redirect configuration parameter. If there is no stdout_redirect option provided, it will behave like INT';
const PUMA_ENTRY: ServerEntry = {
  id: 'puma',
  name: 'Puma',
  versions: '5–6',
  recognise: { comm: '^puma', banner: '\\* Puma version: (\\d+\\.\\d+(?:\\.\\d+)?)' },
  signals: [
    { signal: 'SIGHUP', meaning: 'graceful-stop', words: 'behaves like INT: a graceful stop', when: 'without stdout_redirect', source: { url: PUMA, quote: PUMA_HUP } },
    { signal: 'SIGHUP', meaning: 'reopen-logs', words: 'reopens the log files of stdout_redirect', when: 'with stdout_redirect', source: { url: PUMA, quote: PUMA_HUP } },
    { signal: 'SIGINT', meaning: 'graceful-stop', words: 'finishes the requests in flight, then exits', source: { url: PUMA, quote: 'INT  equivalent of sending Ctrl-C to cluster. Puma will attempt to finish then exit.' } },
    {
      signal: 'SIGTERM',
      meaning: 'graceful-stop',
      words: 'a graceful stop, then (by default) SIGTERM is raised again, so the process ends by the signal (143)',
      source: { url: PUMA_LAUNCHER, quote: 'do_graceful_stop ... raise(SignalException, "SIGTERM") if @options[:raise_exception_on_sigterm]' },
    },
    {
      signal: 'SIGUSR2',
      meaning: 'reload',
      words: 'restarts the workers and reloads the configuration file',
      source: { url: PUMA, quote: 'USR2 restart workers. This also reloads the Puma configuration file, if there is one.' },
    },
    {
      signal: 'SIGUSR1',
      meaning: 'graceful-reload',
      words: 'phased (rolling) restart of the workers, cluster mode',
      source: { url: PUMA, quote: 'USR1 restart workers in phases, a rolling restart. This will not reload the configuration file.' },
    },
  ],
  settings: [
    {
      name: 'stdout_redirect (--redirect-stdout/--redirect-stderr)',
      effect: 'makes SIGHUP reopen the log files instead of stopping Puma',
      signals: ['SIGHUP'],
      source: { url: PUMA, quote: PUMA_HUP },
    },
    {
      name: 'raise_exception_on_sigterm false',
      effect: 'Puma exits 0 after the graceful stop on SIGTERM instead of re-raising SIGTERM (exit 143)',
      signals: ['SIGTERM'],
      source: { url: PUMA_LAUNCHER, quote: 'raise(SignalException, "SIGTERM") if @options[:raise_exception_on_sigterm]' },
    },
  ],
  gracefulStop: { how: 'SIGTERM or SIGINT', signal: 'SIGTERM', source: { url: PUMA, quote: 'INT  equivalent of sending Ctrl-C to cluster. Puma will attempt to finish then exit.' } },
  verified: ['puma-hup', 'puma-hup-redirect'],
};

const UNICORN_ENTRY: ServerEntry = {
  id: 'unicorn',
  name: 'Unicorn',
  versions: '0.8+ (6.0 verified)',
  recognise: { comm: '^unicorn' },
  signals: [
    { signal: 'SIGTERM', meaning: 'immediate-stop', words: 'quick shutdown: kills all workers immediately', source: { url: UNICORN, quote: 'INT/TERM - quick shutdown, kills all workers immediately' } },
    { signal: 'SIGINT', meaning: 'immediate-stop', words: 'quick shutdown: kills all workers immediately', source: { url: UNICORN, quote: 'INT/TERM - quick shutdown, kills all workers immediately' } },
    {
      signal: 'SIGQUIT',
      meaning: 'graceful-stop',
      words: 'graceful shutdown: workers finish their current request',
      source: { url: UNICORN, quote: 'QUIT - graceful shutdown, waits for workers to finish their current request before finishing.' },
    },
    { signal: 'SIGHUP', meaning: 'graceful-reload', words: 'reloads the configuration and restarts the workers gracefully', source: { url: UNICORN, quote: 'HUP - reloads config file and gracefully restart all workers.' } },
    { signal: 'SIGUSR1', meaning: 'reopen-logs', words: 'reopens the logs of the master and the workers', source: { url: UNICORN, quote: 'USR1 - reopen all logs owned by the master and all workers' } },
    { signal: 'SIGUSR2', meaning: 'other', words: 're-executes the running binary (a new master beside the old)', source: { url: UNICORN, quote: 'USR2 - reexecute the running binary.' } },
    { signal: 'SIGWINCH', meaning: 'other', words: 'stops the workers gracefully, the master stays (daemonized only)', source: { url: UNICORN, quote: 'WINCH - gracefully stops workers but keep the master running.' } },
  ],
  settings: [],
  gracefulStop: { how: 'SIGQUIT', signal: 'SIGQUIT', source: { url: UNICORN, quote: 'QUIT - graceful shutdown, waits for workers to finish their current request before finishing.' } },
  verified: ['unicorn-quit', 'unicorn-term'],
};

const PHP_FPM_ENTRY: ServerEntry = {
  id: 'php-fpm',
  name: 'PHP-FPM',
  versions: '5.3.3+',
  recognise: { exe: '^php-fpm[\\d.]*$', comm: '^php-fpm' },
  signals: [
    { signal: 'SIGTERM', meaning: 'immediate-stop', words: 'immediate termination', source: { url: PHP_FPM, quote: 'SIGINT,SIGTERM  immediate termination' } },
    { signal: 'SIGINT', meaning: 'immediate-stop', words: 'immediate termination', source: { url: PHP_FPM, quote: 'SIGINT,SIGTERM  immediate termination' } },
    { signal: 'SIGQUIT', meaning: 'graceful-stop', words: 'graceful stop', source: { url: PHP_FPM, quote: 'SIGQUIT  graceful stop' } },
    { signal: 'SIGUSR1', meaning: 'reopen-logs', words: 're-opens the log file', source: { url: PHP_FPM, quote: 'SIGUSR1  re-open log file' } },
    {
      signal: 'SIGUSR2',
      meaning: 'graceful-reload',
      words: 'graceful reload of all workers and of the configuration and binary',
      source: { url: PHP_FPM, quote: 'SIGUSR2  graceful reload of all workers + reload of fpm conf/binary' },
    },
  ],
  settings: [
    {
      name: 'process_control_timeout (0 by default)',
      effect: 'how long workers may finish their request after the master\'s signal (graceful stop or reload): with 0 they do not wait',
      signals: ['SIGQUIT', 'SIGUSR2'],
      source: { url: 'https://www.php.net/manual/en/install.fpm.configuration.php', quote: 'Time limit for child processes to wait for a reaction on signals from master.' },
    },
  ],
  gracefulStop: { how: 'SIGQUIT (STOPSIGNAL SIGQUIT in the official php:fpm image)', signal: 'SIGQUIT', source: { url: PHP_FPM, quote: 'SIGQUIT  graceful stop' } },
  verified: [],
};

const NODE_ENTRY: ServerEntry = {
  id: 'node',
  name: 'Node.js (plain http)',
  versions: 'all',
  signals: [
    {
      signal: 'SIGTERM',
      meaning: 'immediate-stop',
      words: 'without a listener: exits at once with 128 + signal number; with one, nothing happens unless the code stops the server',
      source: {
        url: 'https://nodejs.org/api/process.html#signal-events',
        quote: "'SIGTERM' and 'SIGINT' have default handlers on non-Windows platforms that reset the terminal mode before exiting with code 128 + signal number. If one of these signals has a listener installed, its default behavior will be removed (Node.js will no longer exit).",
      },
    },
    {
      signal: 'SIGINT',
      meaning: 'immediate-stop',
      words: 'as SIGTERM',
      source: {
        url: 'https://nodejs.org/api/process.html#signal-events',
        quote: "'SIGTERM' and 'SIGINT' have default handlers on non-Windows platforms that reset the terminal mode before exiting with code 128 + signal number.",
      },
    },
  ],
  settings: [],
  gracefulStop: {
    how: "none built in: a process.on('SIGTERM') listener that calls server.close() and exits in its callback",
    source: { url: 'https://nodejs.org/api/process.html#signal-events', quote: 'If one of these signals has a listener installed, its default behavior will be removed (Node.js will no longer exit).' },
  },
  verified: [],
};

const SPRING_BOOT_ENTRY: ServerEntry = {
  id: 'spring-boot',
  name: 'Spring Boot (embedded Tomcat, Jetty, Netty)',
  versions: '2.3+ (graceful by default from 3.4)',
  recognise: { banner: ':: Spring Boot ::\\s+\\(v(\\d+\\.\\d+(?:\\.\\d+)?)\\)' },
  signals: [
    {
      signal: 'SIGTERM',
      meaning: 'immediate-stop',
      words: 'the JVM runs the shutdown hooks, which close the context and stop the web server without waiting for requests in flight',
      versions: '<3.4',
      when: 'without server.shutdown=graceful',
      source: {
        url: 'https://docs.spring.io/spring-boot/3.3/reference/web/graceful-shutdown.html',
        quote: 'Graceful shutdown is supported with all four embedded web servers (Jetty, Reactor Netty, Tomcat, and Undertow) and with both reactive and servlet-based web applications.',
      },
    },
    {
      signal: 'SIGTERM',
      meaning: 'graceful-stop',
      words: 'graceful shutdown: no new requests, those in flight may finish within timeout-per-shutdown-phase',
      versions: '>=3.4',
      source: {
        url: 'https://docs.spring.io/spring-boot/reference/web/graceful-shutdown.html',
        quote: 'Graceful shutdown is enabled by default with all three embedded web servers (Jetty, Reactor Netty, and Tomcat) and with both reactive and servlet-based web applications.',
      },
    },
  ],
  settings: [
    {
      name: 'server.shutdown=graceful',
      effect: 'turns the graceful shutdown on (needed before 3.4)',
      signals: ['SIGTERM', 'SIGINT'],
      source: {
        url: 'https://docs.spring.io/spring-boot/3.3/reference/web/graceful-shutdown.html',
        quote: 'To enable graceful shutdown, configure the server.shutdown property',
      },
    },
    {
      name: 'spring.lifecycle.timeout-per-shutdown-phase (30 s by default)',
      effect: 'bounds the graceful shutdown: keep it under the orchestrator\'s grace period',
      signals: ['SIGTERM', 'SIGINT'],
      source: {
        url: 'https://docs.spring.io/spring-boot/reference/web/graceful-shutdown.html',
        quote: 'To configure the timeout period, configure the spring.lifecycle.timeout-per-shutdown-phase property',
      },
    },
  ],
  gracefulStop: {
    how: 'SIGTERM, with server.shutdown=graceful before 3.4',
    signal: 'SIGTERM',
    source: { url: 'https://docs.spring.io/spring-boot/reference/web/graceful-shutdown.html', quote: 'This stop processing uses a timeout which provides a grace period during which existing requests will be allowed to complete but no new requests will be permitted.' },
  },
  verified: [],
};

const JVM_HOOKS = 'https://docs.oracle.com/en/java/javase/21/docs/api/java.base/java/lang/Runtime.html#addShutdownHook(java.lang.Thread)';
const JVM_ENTRY: ServerEntry = {
  id: 'jvm',
  name: 'The JVM (plain Java)',
  versions: 'all',
  signals: [
    {
      signal: 'SIGTERM',
      meaning: 'other',
      words: 'starts the shutdown: the shutdown hooks run, then the JVM exits (143); nothing waits for requests unless a hook does',
      source: {
        url: JVM_HOOKS,
        quote: 'The virtual machine is terminated in response to a user interrupt, such as typing ^C, or a system-wide event, such as user logoff or system shutdown.',
      },
    },
  ],
  settings: [],
  gracefulStop: { how: 'SIGTERM, with a shutdown hook that waits for the requests in flight', signal: 'SIGTERM', source: { url: JVM_HOOKS, quote: 'A shutdown hook is simply an initialized but unstarted thread.' } },
  verified: [],
};

const POSTGRES_ENTRY: ServerEntry = {
  id: 'postgresql',
  name: 'PostgreSQL',
  versions: '8+ (15 verified)',
  recognise: { exe: '^(postgres|postmaster)$', comm: '^(postgres|postmaster)$', banner: 'starting PostgreSQL (\\d+(?:\\.\\d+)?)' },
  signals: [
    {
      signal: 'SIGTERM',
      meaning: 'graceful-stop',
      words: 'smart shutdown: no new connections, existing sessions end their work',
      source: {
        url: POSTGRES,
        quote: 'This is the Smart Shutdown mode. After receiving SIGTERM, the server disallows new connections, but lets existing sessions end their work normally.',
      },
    },
    {
      signal: 'SIGINT',
      meaning: 'immediate-stop',
      words: 'fast shutdown: current transactions are aborted',
      source: { url: POSTGRES, quote: 'This is the Fast Shutdown mode. The server disallows new connections and sends all existing server processes SIGTERM, which will cause them to abort their current transactions and exit promptly.' },
    },
    { signal: 'SIGQUIT', meaning: 'immediate-stop', words: 'immediate shutdown (recovery at the next start)', source: { url: POSTGRES, quote: 'This is the Immediate Shutdown mode.' } },
  ],
  settings: [],
  gracefulStop: { how: 'SIGTERM (pg_ctl stop -m smart)', signal: 'SIGTERM', source: { url: POSTGRES, quote: 'This is the Smart Shutdown mode.' } },
  verified: ['postgresql-term', 'postgresql-int'],
};

const REDIS_ENTRY: ServerEntry = {
  id: 'redis',
  name: 'Redis',
  versions: '2.6+ (7.0 verified)',
  // Debian's /usr/bin/redis-server is a link to redis-check-rdb (one binary, named by argv[0]): the exe says so
  recognise: { exe: '^(redis-server|redis-check-rdb)$', comm: '^redis-server$', banner: 'Redis version=(\\d+\\.\\d+(?:\\.\\d+)?)' },
  signals: [
    {
      signal: 'SIGTERM',
      meaning: 'graceful-stop',
      words: 'a scheduled shutdown like SHUTDOWN: waits for replicas, saves, exits 0',
      source: { url: REDIS, quote: 'The SIGTERM and SIGINT signals tell Redis to shut down gracefully.' },
    },
    { signal: 'SIGINT', meaning: 'graceful-stop', words: 'as SIGTERM', source: { url: REDIS, quote: 'The SIGTERM and SIGINT signals tell Redis to shut down gracefully.' } },
  ],
  settings: [
    {
      name: 'shutdown-timeout (10 s by default)',
      effect: 'how long the shutdown waits for lagging replicas',
      signals: ['SIGTERM', 'SIGINT'],
      source: { url: REDIS, quote: "Wait up to the configured shutdown-timeout (default 10 seconds) for replicas to catch up with the master's replication offset." },
    },
  ],
  gracefulStop: { how: 'SIGTERM', signal: 'SIGTERM', source: { url: REDIS, quote: 'The SIGTERM and SIGINT signals tell Redis to shut down gracefully.' } },
  // it documents no abrupt stop (only crashes), so one scenario covers its documented paths
  verified: ['redis-term'],
};

const MYSQL_ENTRY: ServerEntry = {
  id: 'mysql',
  name: 'MySQL / MariaDB',
  versions: 'MySQL 5.7–9',
  recognise: { exe: '^(mysqld|mariadbd)$', comm: '^(mysqld|mariadbd)$' },
  signals: [
    { signal: 'SIGTERM', meaning: 'graceful-stop', words: 'shuts the server down, like SHUTDOWN', source: { url: MYSQL, quote: 'SIGTERM causes the server to shut down.' } },
    {
      signal: 'SIGHUP',
      meaning: 'reload',
      words: 'reloads the grant tables and flushes tables, logs and caches (deprecated in 9.x)',
      source: { url: MYSQL, quote: 'SIGHUP causes the server to reload the grant tables and to flush tables, logs, the thread cache, and the host cache.' },
    },
    { signal: 'SIGUSR1', meaning: 'reopen-logs', words: 'flushes the error, general and slow query logs', source: { url: MYSQL, quote: 'SIGUSR1 causes the server to flush the error log, general query log, and slow query log.' } },
  ],
  settings: [],
  gracefulStop: { how: 'SIGTERM', signal: 'SIGTERM', source: { url: MYSQL, quote: 'SIGTERM causes the server to shut down.' } },
  verified: [],
};

const MOSQUITTO_SIGNALS_C = 'https://github.com/eclipse/mosquitto/blob/master/src/signals.c';
const MOSQUITTO_ENTRY: ServerEntry = {
  id: 'mosquitto',
  name: 'Mosquitto',
  versions: '1.x–2.x',
  recognise: { exe: '^mosquitto$', comm: '^mosquitto$' },
  signals: [
    {
      signal: 'SIGHUP',
      meaning: 'reload',
      words: 'reloads the configuration file',
      source: { url: 'https://mosquitto.org/man/mosquitto_signal-1.html', quote: 'On POSIX like systems this can also be triggered using the SIGHUP signal.' },
    },
    { signal: 'SIGINT', meaning: 'other', words: 'ends the main loop (run = 0), after which the broker exits', source: { url: MOSQUITTO_SIGNALS_C, quote: 'void handle_sigint(int signal) { UNUSED(signal); run = 0; }' } },
    { signal: 'SIGUSR1', meaning: 'other', words: 'writes the persistence database', source: { url: MOSQUITTO_SIGNALS_C, quote: 'flag_db_backup = true;' } },
    { signal: 'SIGUSR2', meaning: 'other', words: 'prints the subscription tree', source: { url: MOSQUITTO_SIGNALS_C, quote: 'flag_tree_print = true;' } },
  ],
  settings: [],
  gracefulStop: { how: 'SIGINT or SIGTERM (both end the main loop)', signal: 'SIGTERM', source: { url: MOSQUITTO_SIGNALS_C, quote: 'run = 0;' } },
  verified: [],
};

const ENVOY_RESTARTER = 'https://www.envoyproxy.io/docs/envoy/latest/operations/hot_restarter';
const ENVOY_ENTRY: ServerEntry = {
  id: 'envoy',
  name: 'Envoy (under hot-restarter.py)',
  versions: '1.x',
  recognise: { exe: '^envoy$', comm: '^envoy$' },
  signals: [
    { signal: 'SIGTERM', meaning: 'immediate-stop', words: 'terminates the Envoy processes and exits (no drain)', source: { url: ENVOY_RESTARTER, quote: 'SIGTERM or SIGINT (Ctrl-C): Will cleanly terminate all child processes and exit.' } },
    { signal: 'SIGHUP', meaning: 'graceful-reload', words: 'hot restart', source: { url: ENVOY_RESTARTER, quote: 'SIGHUP: Will hot restart by re-invoking whatever is passed as the first argument to the hot restart script.' } },
    {
      signal: 'SIGUSR1',
      meaning: 'reopen-logs',
      words: 'reopens the access logs',
      source: { url: ENVOY_RESTARTER, quote: 'SIGUSR1: Will be forwarded to Envoy as a signal to reopen all access logs.' },
    },
  ],
  settings: [],
  gracefulStop: {
    how: 'drain first (the admin endpoint /drain_listeners?graceful, then wait), then SIGTERM',
    signal: 'SIGTERM',
    source: { url: ENVOY_RESTARTER, quote: 'SIGTERM or SIGINT (Ctrl-C): Will cleanly terminate all child processes and exit.' },
  },
  verified: [],
};

const SIDEKIQ_ENTRY: ServerEntry = {
  id: 'sidekiq',
  name: 'Sidekiq',
  versions: '5+',
  recognise: { comm: '^sidekiq' },
  signals: [
    {
      signal: 'SIGTERM',
      meaning: 'graceful-stop',
      words: 'stops fetching, finishes current jobs within -t; unfinished jobs go back to Redis',
      source: { url: SIDEKIQ, quote: 'TERM signals that Sidekiq should shut down within the -t timeout option given at start-up.' },
    },
    { signal: 'SIGTSTP', meaning: 'other', words: 'quiet: stops fetching new jobs, keeps running', source: { url: SIDEKIQ, quote: 'TSTP tells Sidekiq to "quiet" as it will be shutting down at some point in the near future.' } },
    { signal: 'SIGTTIN', meaning: 'other', words: 'prints the backtraces of all threads', source: { url: SIDEKIQ, quote: 'Sidekiq will respond to TTIN by printing backtraces for all threads in the process to the logger.' } },
    {
      signal: 'SIGUSR2',
      meaning: 'reopen-logs',
      words: 'log file maintenance (removed in 6.0)',
      versions: '<6',
      source: { url: SIDEKIQ, quote: 'Sidekiq <6.0 used USR2 for logfile maintenance. This functionality has been removed in 6.0.' },
    },
  ],
  settings: [
    {
      name: '-t timeout (25 s by default)',
      effect: 'how long TERM waits for jobs; give the process N+5 s before SIGKILL',
      signals: ['SIGTERM'],
      source: { url: SIDEKIQ, quote: 'The timeout defaults to 25 seconds since all Heroku processes must exit within 30 seconds.' },
    },
  ],
  gracefulStop: { how: 'SIGTSTP early, then SIGTERM', signal: 'SIGTERM', source: { url: SIDEKIQ, quote: 'Use TSTP + TERM to guarantee shutdown within a time period.' } },
  verified: [],
};

const CELERY = 'https://docs.celeryq.dev/en/stable/userguide/workers.html#stopping-the-worker';
const CELERY_ENTRY: ServerEntry = {
  id: 'celery',
  name: 'Celery worker',
  versions: '5.x',
  recognise: { comm: '^celery', banner: 'celery@\\S+ v(\\d+\\.\\d+(?:\\.\\d+)?)' },
  signals: [
    {
      signal: 'SIGTERM',
      meaning: 'graceful-stop',
      words: 'warm shutdown: finishes the tasks it is executing',
      source: { url: CELERY, quote: 'When shutdown is initiated the worker will finish all currently executing tasks before it actually terminates.' },
    },
  ],
  settings: [],
  gracefulStop: { how: 'SIGTERM', signal: 'SIGTERM', source: { url: CELERY, quote: 'Shutdown should be accomplished using the TERM signal.' } },
  verified: [],
};

const SQUID_ENTRY: ServerEntry = {
  id: 'squid',
  name: 'Squid',
  versions: '3.x–7',
  recognise: { exe: '^squid$', comm: '^squid$' },
  signals: [
    {
      signal: 'SIGTERM',
      meaning: 'graceful-stop',
      words: '"shutdown pending" until the active sockets close, for at most shutdown_lifetime',
      source: {
        url: 'https://www.squid-cache.org/Doc/config/shutdown_lifetime/',
        quote: 'When SIGTERM or SIGHUP is received, the cache is put into "shutdown pending" mode until all active sockets are closed.',
      },
    },
    {
      signal: 'SIGUSR1',
      meaning: 'reopen-logs',
      words: 'rotates the logs (squid -k rotate)',
      source: { url: 'https://www.squid-cache.org/Doc/config/logfile_rotate', quote: "the 'squid -k rotate' command normally sends a USR1 signal to the running squid process." },
    },
  ],
  settings: [
    {
      name: 'shutdown_lifetime (30 s by default)',
      effect: 'clients still active when it expires get a timeout',
      signals: ['SIGTERM'],
      source: { url: 'https://www.squid-cache.org/Doc/config/shutdown_lifetime/', quote: "Any active clients after this many seconds will receive a 'timeout' message." },
    },
  ],
  gracefulStop: { how: 'SIGTERM (squid -k shutdown)', signal: 'SIGTERM', source: { url: 'https://www.squid-cache.org/Doc/config/shutdown_lifetime/', quote: 'the cache is put into "shutdown pending" mode until all active sockets are closed.' } },
  verified: [],
};

/** The catalogue, most specific first. */
export const SERVERS: readonly ServerEntry[] = [
  NGINX_ENTRY,
  APACHE_ENTRY,
  HAPROXY_ENTRY,
  LIGHTTPD_ENTRY,
  CADDY_ENTRY,
  H2O_ENTRY,
  GUNICORN_ENTRY,
  UWSGI_ENTRY,
  PUMA_ENTRY,
  UNICORN_ENTRY,
  SIDEKIQ_ENTRY,
  CELERY_ENTRY,
  PHP_FPM_ENTRY,
  SPRING_BOOT_ENTRY,
  JVM_ENTRY,
  NODE_ENTRY,
  POSTGRES_ENTRY,
  REDIS_ENTRY,
  MYSQL_ENTRY,
  MOSQUITTO_ENTRY,
  ENVOY_ENTRY,
  SQUID_ENTRY,
];
