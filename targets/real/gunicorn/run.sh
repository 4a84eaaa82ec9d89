#!/bin/sh
# Real server: Debian's gunicorn (WSGI), for scenarios/real/gunicorn-*.yml. Serves app.py beside this file:
# GET /healthz answers 200; GET /big sends 1 MiB over ~4 s. Two workers of the default (sync) class.
# Environment: PORT (8080). apt-get install gunicorn first.
set -eu
PORT=${PORT:-8080}
GUNICORN=${GUNICORN:-$(command -v gunicorn)} || { echo "run.sh: gunicorn not found (apt-get install gunicorn)" >&2; exit 127; }
cd "$(dirname "$0")"
echo "real-gunicorn: pid=$$ starting gunicorn on 127.0.0.1:$PORT" >&2
# exec: gunicorn's master must be the process that receives the signals
exec "$GUNICORN" --bind "127.0.0.1:$PORT" --workers 2 app:app
