#!/bin/sh
# The fix: exec replaces the shell, so the service itself receives SIGTERM.
echo "starting service"
exec "${SERVER:-/server}"
