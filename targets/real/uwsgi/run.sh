#!/bin/sh
# Real server: Debian's uWSGI 2.0 (packages uwsgi, uwsgi-plugin-python3) with a master process, for
# scenarios/real/uwsgi-*.yml. Serves ../gunicorn/app.py (the same WSGI app): GET /healthz answers 200; GET /big sends
# 1 MiB over ~4 s. Two workers, HTTP on 127.0.0.1:$PORT (--http-socket: no router process in front).
# HOOK_STOP=hook: the documented graceful stop on SIGTERM, --hook-master-start "unix_signal:15
# gracefully_kill_them_all" (uWSGI "Things to know" / "The Art of Graceful Reloading"); unset: the defaults, where
# SIGTERM "brutally reload[s] all the workers and the master process" (uWSGI "Managing the uWSGI server").
# Environment: PORT (8080), HOOK_STOP (unset or hook; not UWSGI_…: uWSGI reads every UWSGI_* variable as an option). apt-get install uwsgi uwsgi-plugin-python3 first.
set -eu
. "$(dirname "$0")/../launcher.sh"
UWSGI=${UWSGI:-$(server_binary uwsgi uwsgi)}
APP_DIR=$(cd "$(dirname "$0")/../gunicorn" && pwd)
set -- --master --processes 2 --http-socket "127.0.0.1:$PORT" --plugin python3 --chdir "$APP_DIR" --wsgi-file app.py --callable app \
  --need-app --disable-logging
if [ "${HOOK_STOP:-}" = hook ]; then
  set -- "$@" --hook-master-start "unix_signal:15 gracefully_kill_them_all"
fi
echo "real-uwsgi: pid=$$ starting uwsgi on 127.0.0.1:$PORT (stop: ${HOOK_STOP:-default})" >&2
# exec: uWSGI's master must be the process that receives the signals
exec "$UWSGI" "$@"
