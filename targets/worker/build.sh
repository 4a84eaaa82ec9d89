#!/bin/sh
# Builds the zoo's queue worker as a static binary for a FROM scratch image (stdlib only, no module proxy needed).
set -eu
cd "$(dirname "$0")"
CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o worker .
