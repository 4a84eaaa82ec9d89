#!/bin/sh
# The Redis image's build context: the host's redis-server and redis-cli plus every shared library ldd lists for
# them (and the dynamic loader), copied under rootfs/ at their own paths, so a FROM scratch image can run them.
# Idempotent: a file is copied only when it is missing under rootfs/ or the host's copy is newer.
set -eu
cd "$(dirname "$0")"
for bin in /usr/bin/redis-server /usr/bin/redis-cli; do
  [ -x "$bin" ] || { echo "build.sh: $bin not found (apt-get install redis-server)" >&2; exit 1; }
done

# put SRC DEST: copy SRC (symlinks followed) to rootfs/DEST unless that copy exists and is not older than SRC.
# cp -p keeps the host's mtime, so an unchanged file is skipped next time and docker's build cache still holds.
put() {
  src=$(readlink -f "$1")
  dest=rootfs$2
  if [ -e "$dest" ] && [ -z "$(find "$src" -newer "$dest")" ]; then
    return
  fi
  mkdir -p "$(dirname "$dest")"
  # A temporary name of this process's own: test files run in parallel prepare the same context at once.
  cp -p "$src" "$dest.tmp.$$"
  mv -f "$dest.tmp.$$" "$dest"
}

# On Debian redis-server is a symlink to redis-check-rdb (one binary that picks its role from argv[0]); the copy
# is the binary itself under the name redis-server, which starts the server.
for bin in /usr/bin/redis-server /usr/bin/redis-cli; do
  put "$bin" "$bin"
  # "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" and "/lib64/ld-linux-x86-64.so.2 (0x...)"; skip linux-vdso
  for lib in $(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
    put "$lib" "$lib"
  done
done
