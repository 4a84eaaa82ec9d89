// The part of a reproduction script (repro-script.ts) that does not depend on the scenario: POSIX sh, run as it is.
// Kept as one text, not built: what a reader of the script sees is what is here.

export const REPRO_SHELL = `# ---- the rest does not depend on the scenario ----

# Milliseconds on the wall clock (date +%s%N: GNU coreutils or busybox; else whole seconds, said once at the start).
now_ms() {
  _t=$(date +%s%N 2>/dev/null)
  case $_t in
    '' | *[!0-9]*) echo $(( $(date +%s) * 1000 )) ;;
    *) echo "\${_t%??????}" ;;
  esac
}

# "1.250" from 1250: the seconds sleep takes.
ms_s() { printf '%d.%03d' $(( $1 / 1000 )) $(( $1 % 1000 )); }

# _ms=4 from curl's "0.004512" (seconds), without a subshell.
ms_of() {
  case $1 in
    *.*) _mi=\${1%%.*} _mf=\${1#*.}000 ;;
    *) _mi=\${1:-0} _mf=000 ;;
  esac
  _mf=\${_mf%"\${_mf#???}"}
  _ms=$(( _mi * 1000 + 1$_mf - 1000 ))
}

# Sleeps until $1 ms after readiness (T0). sleep is a new process each time: an event lands 1-5 ms after its offset
# on an idle machine, more on a busy one; each event is timed from readiness, so the errors do not add up, and the
# times each signal actually went are printed.
sleep_until() {
  _d=$(( T0 + $1 - $(now_ms) ))
  if [ "$_d" -gt 0 ]; then sleep "$(ms_s "$_d")"; fi
}

exited() { [ -e "$RUN/exit" ]; }

# The pids below $1 (Linux /proc).
children_of() {
  for _f in /proc/[0-9]*/stat; do
    _l=
    { read -r _l < "$_f"; } 2>/dev/null || continue
    _r=\${_l##*) }
    _r=\${_r#* }
    if [ "\${_r%% *}" = "$1" ]; then _p=\${_f#/proc/}; echo "\${_p%/stat}"; fi
  done
}
descendants() { for _c in $(children_of "$1"); do echo "$_c"; descendants "$_c"; done; }

# kill_to SIGNAL RECIPIENT: main, group (the target runs in a session of its own), children or all.
kill_to() {
  case $2 in
    main) kill -s "\${1#SIG}" "$PID" ;;
    group) kill -s "\${1#SIG}" -- "-$PID" ;;
    children) _k=$(descendants "$PID"); [ -n "$_k" ] && kill -s "\${1#SIG}" $_k ;;
    all) kill -s "\${1#SIG}" "$PID" $(descendants "$PID") ;;
  esac 2>/dev/null
}

# Notes a signal that went: in $RUN/sent, and in $RUN/term if it is the first that stops the target.
sent() {
  echo "$1 $2 $3 $4" >> "$RUN/sent"
  case $TERMINATING in
    *" $2 "*) [ -e "$RUN/term" ] || echo "$2 $4 $1" > "$RUN/term" ;;
    *) [ "$1" = stop ] && ! [ -e "$RUN/term" ] && echo "$2 $4 $1" > "$RUN/term" ;;
  esac
}

# kill_at EVENT AT_MS RECIPIENT SPACING_MS COUNT SIGNAL...: COUNT signals taken in turn, SPACING_MS apart from AT_MS
# after readiness; with spacing 0, back to back (a race).
kill_at() {
  _ev=$1 _at=$2 _to=$3 _sp=$4 _n=$5
  shift 5
  sleep_until "$_at"
  _ki=0
  while [ "$_ki" -lt "$_n" ]; do
    if [ "$_ki" -gt 0 ] && [ "$_sp" -gt 0 ]; then sleep_until $(( _at + _ki * _sp )); fi
    eval "_sig=\\\${$(( _ki % $# + 1 ))}"
    if exited; then
      echo "$_ev $_sig $_to gone" >> "$RUN/sent"
      return 0
    fi
    # Timed before the kill, as sigstorm times its deliveries; a race's kills go back to back, timed once.
    if [ "$_ki" -eq 0 ] || [ "$_sp" -gt 0 ]; then _t=$(( $(now_ms) - T0 )); fi
    if kill_to "$_sig" "$_to"; then sent "$_ev" "$_sig" "$_to" "$_t"; else echo "$_ev $_sig $_to failed" >> "$RUN/sent"; fi
    _ki=$(( _ki + 1 ))
  done
}

# Whether the target answers its readiness probe (and printed its ready line).
probe_ready() {
  if [ -n "$READY_PATH" ]; then
    _code=$(curl -s -o /dev/null --max-time 1 -w '%{http_code}' "http://127.0.0.1:$PORT$READY_PATH" 2>/dev/null)
    case $_code in 2??) ;; *) return 1 ;; esac
  fi
  if [ -n "$READY_TCP" ]; then
    # curl's exit 7 is "connection refused": anything else (28 when it gives up after 50 ms), the port accepted it.
    curl -s -o /dev/null --max-time 0.05 "telnet://127.0.0.1:$PORT" < /dev/null 2>/dev/null
    [ $? -eq 7 ] && return 1
  fi
  if [ -n "$READY_LOG" ]; then
    while IFS= read -r _line; do
      case $_line in *"$READY_LOG"*) return 0 ;; esac
    done < "$RUN/target.log"
    return 1
  fi
  return 0
}

# 0 ready, 1 exited first, 2 not ready in time; polled every 20 ms, so readiness is seen up to ~30 ms late.
wait_ready() {
  _start=$(now_ms)
  while :; do
    exited && return 1
    probe_ready && return 0
    [ $(( $(now_ms) - _start )) -ge "$READY_TIMEOUT_MS" ] && return 2
    sleep 0.02
  done
}

# check_at EVENT AT_MS LABEL: the target must still run and answer its probe (skipped once a stop signal went).
check_at() {
  [ -e "$RUN/term" ] && return 0
  sleep_until "$2"
  [ -e "$RUN/term" ] && return 0
  _t=$(( $(now_ms) - T0 ))
  if exited || ! kill -0 "$PID" 2>/dev/null; then
    echo "$1 died $_t $3" >> "$RUN/checks"
  elif ! probe_ready; then
    echo "$1 not-ready $_t $3" >> "$RUN/checks"
  else
    echo "$1 ok $_t $3" >> "$RUN/checks"
  fi
}

# request_loop METHOD PATH PERIOD_MS TIMEOUT_MS: one request at a time, each on a new connection, until $RUN/stop.
# Each line of $RUN/requests: method path start end (ms after readiness) curl's exit, status, bytes, header bytes,
# and curl's own times (s): connected and request about to go, first byte, total.
request_loop() {
  _m=$1 _path=$2 _period=$3 _timeout=$4
  case $_m in
    GET) set -- ;;
    HEAD) set -- --head ;;
    POST) set -- --data-binary @/dev/null ;;
    *) set -- -X "$_m" --data-binary @/dev/null ;;
  esac
  while [ ! -e "$RUN/stop" ]; do
    _s=$(now_ms)
    _w=$(curl -s -o /dev/null -H 'Connection: close' --max-time "$(ms_s "$_timeout")" \\
      -w '%{http_code} %{size_download} %{size_header} %{time_pretransfer} %{time_starttransfer} %{time_total}' \\
      "$@" "http://127.0.0.1:$PORT$_path" 2>/dev/null)
    _c=$?
    _e=$(now_ms)
    echo "$_m $_path $(( _s - T0 )) $(( _e - T0 )) $_c $_w" >> "$RUN/requests"
    _d=$(( _s + _period - _e ))
    if [ "$_d" -gt 0 ]; then sleep "$(ms_s "$_d")"; fi
  done
}

# Waits for the exit: from the first stop signal, the grace period (or its \`within\`, if longer; GRACE_MS given in the
# environment: that alone), then SIGKILL.
wait_gone() {
  if [ -e "$RUN/term" ]; then
    read -r _sig _at _ev < "$RUN/term"
    eval "_wait=\\\${WITHIN_$_sig:-0}"
    [ "$_wait" -lt "$GRACE_MS" ] || [ -n "$GRACE_GIVEN" ] && _wait=$GRACE_MS
    _deadline=$(( T0 + _at + _wait ))
  else
    _deadline=$(( $(now_ms) + GRACE_MS ))
  fi
  while ! exited; do
    _t=$(now_ms)
    if [ "$_t" -ge "$_deadline" ]; then
      echo $(( _t - T0 )) > "$RUN/killed"
      kill_all KILL
      break
    fi
    sleep 0.02
  done
  while ! exited; do sleep 0.02; done
}

kill_all() {
  if [ -n "$SETSID" ]; then kill -s "$1" -- "-$PID" 2>/dev/null; fi
  kill -s "$1" "$PID" 2>/dev/null
}

# Runs beside the target (which the main shell waits for in the foreground, so that the signals a shell's background
# jobs ignore, INT and QUIT, keep their default action in the target): readiness, traffic, the schedule, the stop.
control() {
  _n=0
  while [ ! -s "$RUN/pid" ]; do
    exited && { echo 1 > "$RUN/notready"; return; }
    _n=$(( _n + 1 ))
    [ "$_n" -gt 500 ] && { echo 2 > "$RUN/notready"; return; }
    sleep 0.01
  done
  read -r PID < "$RUN/pid"
  wait_ready
  _r=$?
  if [ "$_r" -ne 0 ]; then
    echo "$_r" > "$RUN/notready"
    exited || kill_all KILL
    return
  fi
  T0=$(now_ms)
  echo "$T0" > "$RUN/ready"
  start_traffic
  play
  if [ ! -e "$RUN/term" ] && ! exited; then kill_at stop $(( $(now_ms) - T0 )) main 0 1 "$STOP_SIGNAL"; fi
  wait_gone
  : > "$RUN/stop"
  wait
}

# A free port (no one answers on it: curl's "connection refused"), unless PORT was given. Drawn below the kernel's
# ephemeral range, where no outgoing connection or port-0 listener is handed one: the target's bind would fail there
# (EADDRINUSE) on a port that refuses connections on 127.0.0.1.
pick_port() {
  if [ -n "$FIXED_PORT" ]; then PORT=$FIXED_PORT; return; fi
  _low=32768
  [ -r /proc/sys/net/ipv4/ip_local_port_range ] && read -r _low _high < /proc/sys/net/ipv4/ip_local_port_range
  [ "$_low" -gt 12000 ] 2>/dev/null || _low=32768
  _p=$(( 10000 + ($$ * 7 + $1 * 131) % (_low - 10000 - 200) ))
  _n=0
  while :; do
    curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$_p/" 2>/dev/null
    [ $? -eq 7 ] && break
    _p=$(( _p + 1 ))
    _n=$(( _n + 1 ))
    [ "$_n" -gt 100 ] && { echo "$0: no free port found from $(( _p - _n )) on: give one in PORT" >&2; exit 3; }
  done
  PORT=$_p
}

# say TEXT: a line of the run's verdict.
say() { echo "  $*"; }

# The exit against the contract: 0 as expected, 1 not.
judge_exit() {
  read -r _status _exit_at < "$RUN/exit"
  _exit=$(( _exit_at - T0 ))
  if [ ! -e "$RUN/term" ]; then
    say "the target exited with status $_status at +$_exit ms without any signal that should stop it"
    return 1
  fi
  read -r _sig _at _ev < "$RUN/term"
  eval "_allowed=\\\${EXIT_$_sig:-} _within=\\\${WITHIN_$_sig:-$GRACE_MS}"
  _took=$(( _exit - _at ))
  _what="$_sig (+$_at ms)"
  [ "$_ev" = stop ] && _what="$_sig (the stop at the end of the schedule, +$_at ms)"
  _want="expected \${_allowed:-any status} within $_within ms"
  if [ -e "$RUN/killed" ]; then
    read -r _k < "$RUN/killed"
    say "still running $(( _k - _at )) ms after $_what: this script sent SIGKILL, exit status $_status; $_want"
    return 1
  fi
  case " $_allowed " in
    "  " | *" $_status "*) ;;
    *) say "exited with status $_status $_took ms after $_what; $_want"; return 1 ;;
  esac
  if [ "$_took" -gt "$_within" ]; then say "exited with status $_status $_took ms after $_what: too late, $_want"; return 1; fi
  say "exited with status $_status $_took ms after $_what, as expected"
  return 0
}

# The alive checks: 0 every one held.
judge_checks() {
  [ -e "$RUN/checks" ] || return 0
  _bad=0
  while read -r _ev _state _t _label; do
    case $_state in
      ok) say "after $_label: still running and ready at +$_t ms, as expected" ;;
      died) say "after $_label: the target had exited at +$_t ms; expected it to stay up"; _bad=1 ;;
      *) say "after $_label: running but not ready at +$_t ms; expected it to stay up and ready"; _bad=1 ;;
    esac
  done < "$RUN/checks"
  return $_bad
}

# How a request ended, from curl's exit and status: ok, http-error, refused, timeout, truncated or reset.
outcome() {
  case $1 in
    0) case $2 in [23]??) _o=ok ;; *) _o=http-error ;; esac ;;
    7) _o=refused ;;
    28) _o=timeout ;;
    18) _o=truncated ;;
    *) if [ "\${3:-0}" -gt 0 ]; then _o=truncated; else _o=reset; fi ;;
  esac
}

# Requests lost: a simplified form of sigstorm's lost-requests oracle. Sent before the first stop signal and not
# answered in full (a truncated answer, whenever sent); not counted: a refused connection after the signal, and a
# connection closed unanswered at the signal within 50 ms of the request going out (one the server never took up).
judge_requests() {
  [ -e "$RUN/requests" ] || { say "no request was sent"; return 0; }
  _S=999999999 _name="the exit"
  if [ -e "$RUN/term" ]; then read -r _name _S _ev < "$RUN/term"; fi
  _all=0 _before=0 _lost=0 _early=0 _shown=0
  _n_truncated=0 _n_reset=0 _n_refused=0 _n_timeout=0 _n_http_error=0
  while read -r _m _p _s _e _c _code _size _hsize _tpre _tfirst _ttotal; do
    _all=$(( _all + 1 ))
    outcome "$_c" "$_code" "$_hsize"
    ms_of "$_ttotal"; _total=$_ms
    ms_of "$_tpre"; _wire=$(( _total - _ms ))
    _sent=$(( _e - _wire ))
    [ "$_sent" -lt "$_s" ] && _sent=$_s
    [ "$_sent" -lt "$_S" ] && _before=$(( _before + 1 ))
    _refusal=
    if [ "$_o" = refused ] && [ "$_e" -ge "$_S" ]; then _refusal=1; fi
    if [ "$_o" = reset ] && [ "$_e" -ge "$_S" ] && [ "$_wire" -lt 50 ]; then _refusal=1; fi
    if [ "$_o" = truncated ] || { [ -z "$_refusal" ] && [ "$_sent" -lt "$_S" ] && [ "$_o" != ok ]; }; then
      _lost=$(( _lost + 1 ))
      case $_o in
        truncated) _n_truncated=$(( _n_truncated + 1 )) ;;
        reset) _n_reset=$(( _n_reset + 1 )) ;;
        refused) _n_refused=$(( _n_refused + 1 )) ;;
        timeout) _n_timeout=$(( _n_timeout + 1 )) ;;
        *) _n_http_error=$(( _n_http_error + 1 )) ;;
      esac
      if [ "$_shown" -lt 5 ]; then
        _shown=$(( _shown + 1 ))
        _rel=$(( _sent - _S ))
        if [ "$_S" -eq 999999999 ]; then _when="at +$_sent ms"; elif [ "$_rel" -lt 0 ]; then _when="at +$_sent ms, $(( -_rel )) ms before $_name"; else _when="at +$_sent ms, $_rel ms after $_name"; fi
        say "lost: $_m $_p sent $_when: $_o (curl exit $_c, status $_code, $_size bytes), took $_total ms"
      fi
    elif [ -n "$_refusal" ] && [ "$_e" -lt $(( _S + NO_REFUSALS_FOR_MS )) ]; then
      _early=$(( _early + 1 ))
      [ "$_early" -eq 1 ] && say "refused too early: $_m $_p at +$_e ms, $(( _e - _S )) ms after $_name (connections must still be accepted for $NO_REFUSALS_FOR_MS ms)"
    fi
  done < "$RUN/requests"
  if [ "$_lost" -gt 0 ]; then
    _by=
    for _k in truncated reset refused timeout http_error; do
      eval "_v=\\$_n_$_k"
      [ "$_v" -gt 0 ] && _by="$_by, $_v $_k"
    done
    say "$_lost request(s) lost of $_all sent ($_before sent before $_name):\${_by#,}"
    return 1
  fi
  [ "$_early" -gt 0 ] && return 1
  say "no request lost ($_all sent, $_before of them before $_name)"
  return 0
}

# One run: 0 passed, 1 failed, 3 the target could not be started or was never ready.
run_once() {
  RUN=$WORK/run-$1
  rm -rf "$RUN"
  mkdir -p "$RUN/data" || exit 3
  DATA_DIR=$RUN/data
  pick_port "$1"
  control &
  _ctl=$!
  start_target > "$RUN/target.log" 2>&1
  echo "$? $(now_ms)" > "$RUN/exit"
  wait "$_ctl"
  # What the target left running in its session goes with it.
  [ -n "$SETSID" ] && [ -s "$RUN/pid" ] && read -r PID < "$RUN/pid" && kill -s KILL -- "-$PID" 2>/dev/null
  echo "run $1 of $TIMES:"
  if [ -e "$RUN/notready" ]; then
    read -r _why < "$RUN/notready"
    read -r _status _at < "$RUN/exit"
    if [ "$_why" = 1 ]; then say "the target exited (status $_status) before it was ready"; else say "the target was not ready within $READY_TIMEOUT_MS ms"; fi
    say "its output: $RUN/target.log"
    return 3
  fi
  read -r T0 < "$RUN/ready"
  while read -r _ev _sig _to _t; do
    case $_t in
      gone) say "$_sig→$_to not sent: the target had exited" ;;
      failed) say "$_sig→$_to could not be sent" ;;
      *) say "$_sig→$_to sent at +$_t ms" ;;
    esac
  done < "$RUN/sent"
  _verdict=0
  judge_exit || _verdict=1
  judge_checks || _verdict=1
  judge_requests || _verdict=1
  if [ "$_verdict" -eq 0 ]; then
    say "passed"
    [ -n "$KEEP" ] || rm -rf "$RUN"
  else
    say "FAILED (the target's output, the requests and the signals sent: $RUN/)"
  fi
  return $_verdict
}

main() {
  case $TIMES in '' | *[!0-9]*) echo "usage: $0 [runs]  (runs: a whole number, not '$TIMES')" >&2; exit 2 ;; esac
  command -v curl > /dev/null 2>&1 || { echo "$0: curl not found: it sends the traffic and the readiness probe" >&2; exit 2; }
  case $(date +%s%N 2>/dev/null) in
    '' | *[!0-9]*) echo "$0: this date(1) has no %N: times are to the second only, which is too coarse for most races" >&2 ;;
  esac
  if command -v setsid > /dev/null 2>&1; then SETSID=setsid; else SETSID=; fi
  if [ "$NEEDS_GROUP" = 1 ] && [ -z "$SETSID" ]; then
    echo "$0: setsid not found (util-linux or busybox): the schedule signals the target's process group, which needs a session of its own" >&2
    exit 2
  fi
  WORK=\${TMPDIR:-/tmp}/sigstorm-repro.$$
  mkdir -p "$WORK" || exit 3
  trap 'echo "interrupted: the files are in $WORK" >&2; exit 130' INT
  trap 'exit 143' TERM
  prepare || { echo "$0: the prepare step failed" >&2; exit 3; }
  _failed=0 _broken=0 _run=1
  while [ "$_run" -le "$TIMES" ]; do
    run_once "$_run"
    case $? in 1) _failed=$(( _failed + 1 )) ;; 3) _broken=$(( _broken + 1 )) ;; esac
    _run=$(( _run + 1 ))
  done
  _ran=$(( TIMES - _broken ))
  if [ "$_failed" -gt 0 ]; then
    _note=
    [ "$_broken" -gt 0 ] && _note="; $_broken could not run"
    echo "REPRODUCED: $_failed of $_ran runs failed$_note"
    exit 1
  fi
  if [ "$_broken" -gt 0 ]; then echo "NOT REPRODUCED: 0 of $_ran runs failed; $_broken could not run"; exit 3; fi
  echo "NOT REPRODUCED: 0 of $_ran runs failed"
  rmdir "$WORK" 2>/dev/null
  exit 0
}
`;
