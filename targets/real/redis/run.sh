#!/bin/sh
# Real server: Debian's Redis 7 (package redis-server), for scenarios/real/redis-*.yml: on 127.0.0.1:$PORT, no
# persistence (save "" and no AOF), so its shutdown has nothing to write; the data directory is the trial's.
# Environment: PORT (8080), DATA_DIR. apt-get install redis-server first.
set -eu
. "$(dirname "$0")/../launcher.sh"
REDIS=${REDIS:-$(server_binary redis-server redis-server)}
echo "real-redis: pid=$$ starting redis-server on 127.0.0.1:$PORT" >&2
# exec: redis-server must be the process that receives the signals
exec "$REDIS" --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$DATA_DIR" --daemonize no
