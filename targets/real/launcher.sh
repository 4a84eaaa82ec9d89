# Sourced by the real servers' run.sh: the port, an absolute data directory (servers want absolute paths; the
# scenarios run from scenarios/real/), Debian's sbin on PATH, and what every launcher serves.
PORT=${PORT:-8080}
DATA_DIR=${DATA_DIR:-$(mktemp -d)}
mkdir -p "$DATA_DIR/www"
DATA_DIR=$(cd "$DATA_DIR" && pwd)
PATH=$PATH:/usr/sbin:/sbin

# server_binary PROGRAM PACKAGE: its path, or exit 127 saying what to install.
server_binary() {
  command -v "$1" || { echo "run.sh: $1 not found (apt-get install $2)" >&2; exit 127; }
}

# www/healthz answers "ok"; www/big is 1 MiB, which each server sends at 256 KiB/s so a download is in flight ~4 s.
document_root() {
  head -c 1048576 /dev/urandom > "$DATA_DIR/www/big"
  echo ok > "$DATA_DIR/www/healthz"
}
