#!/bin/sh
# The shell-form image: busybox as /bin/sh plus the zoo's graceful Go service, started by a shell script.
set -eu
cd "$(dirname "$0")"
sh ../go/build.sh
cp ../go/server server
cp "$(command -v busybox)" busybox
