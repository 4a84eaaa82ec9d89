#!/bin/sh
# The bug: the shell stays in front of the service. As PID 1 it ignores SIGTERM (no handler),
# and as a plain parent it dies alone, leaving the service orphaned. Either way the service never hears it.
echo "starting service"
"${SERVER:-/server}"
echo "service exited with $?"
