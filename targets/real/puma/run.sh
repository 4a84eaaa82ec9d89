#!/bin/sh
# Real server: Debian's Puma 5 (package puma) in single mode, for scenarios/real/puma-*.yml. Serves config.ru beside
# this file: GET /healthz answers 200; GET /big sends 1 MiB over ~4 s.
# PUMA_REDIRECT=1: stdout and stderr redirected to files in DATA_DIR (--redirect-stdout/--redirect-stderr, the CLI's
# stdout_redirect), so SIGHUP reopens them; unset: no redirect, where Puma's docs/signals.md says HUP "will behave
# like INT" (a stop).
# Environment: PORT (8080), DATA_DIR, PUMA_REDIRECT. apt-get install puma first.
set -eu
. "$(dirname "$0")/../launcher.sh"
PUMA=${PUMA:-$(server_binary puma puma)}
cd "$(dirname "$0")"
set -- --bind "tcp://127.0.0.1:$PORT" --threads 4:4 --environment production
if [ -n "${PUMA_REDIRECT:-}" ]; then
  set -- "$@" --redirect-stdout "$DATA_DIR/puma.out" --redirect-stderr "$DATA_DIR/puma.err" --redirect-append
fi
echo "real-puma: pid=$$ starting puma on 127.0.0.1:$PORT (redirect: ${PUMA_REDIRECT:-no})" >&2
# exec: Puma must be the process that receives the signals
exec "$PUMA" "$@" config.ru
