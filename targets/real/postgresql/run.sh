#!/bin/sh
# Real server: Debian's PostgreSQL 15 (package postgresql), for scenarios/real/postgresql-*.yml: a fresh cluster in
# the trial's data directory (initdb, no fsync), listening on 127.0.0.1:$PORT (its socket in DATA_DIR too). It runs
# as the `postgres` user (it refuses root): setpriv execs it, so the postmaster is the process the signals reach.
# Environment: PORT (8080), DATA_DIR. apt-get install postgresql first.
set -eu
. "$(dirname "$0")/../launcher.sh"
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$BIN/postgres" ] || { echo "run.sh: postgres not found (apt-get install postgresql)" >&2; exit 127; }
AS=
if [ "$(id -u)" = 0 ]; then
  chmod o+x "$DATA_DIR"
  mkdir -p "$DATA_DIR/pg" && chown postgres "$DATA_DIR/pg" "$DATA_DIR"
  AS="setpriv --reuid=postgres --regid=postgres --init-groups --"
fi
$AS "$BIN/initdb" --no-sync --auth=trust --username=postgres -D "$DATA_DIR/pg" > "$DATA_DIR/initdb.log" 2>&1 ||
  { cat "$DATA_DIR/initdb.log" >&2; exit 1; }
echo "real-postgresql: pid=$$ starting postgres on 127.0.0.1:$PORT" >&2
exec $AS "$BIN/postgres" -D "$DATA_DIR/pg" -p "$PORT" -k "$DATA_DIR" -c listen_addresses=127.0.0.1 -c fsync=off
