#!/bin/sh
# The shell-form image: busybox as /bin/sh plus the zoo's graceful Go service, started by a shell script.
set -eu
cd "$(dirname "$0")"
sh ../go/build.sh
cp ../go/server server
bb=$(command -v busybox) || { echo "build.sh: busybox not found (apt-get install busybox-static)" >&2; exit 1; }
# ldd fails on a static binary; a dynamic one cannot run in a FROM scratch image
if ldd "$bb" >/dev/null 2>&1; then echo "build.sh: $bb is dynamically linked; install busybox-static" >&2; exit 1; fi
cp "$bb" busybox
