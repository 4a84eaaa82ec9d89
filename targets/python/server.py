# Zoo target (Python 3, stdlib only): a threaded HTTP service that flushes a snapshot of its state on a timer.
# "graceful" is the correct service; the other mode is graceful with one thing broken.
#
#   graceful         SIGTERM/SIGINT set a plain flag (a handler that takes a lock, as threading.Event.set does, can
#                    deadlock on the main thread it interrupted while that thread held the lock); the main thread,
#                    woken through the wakeup fd, then stops the server, waits for the requests in
#                    flight (server_close joins their threads), writes a last snapshot and exits 0. The flush holds
#                    state_lock, which the shutdown takes too, so it never exits half-way through one.
#   flush-unguarded  a rare window that first opens after the default horizon: the first flush comes 2 s after
#                    listening, then one every 2 s (ZOO_FLUSH_EVERY_MS), and each puts SIGTERM and SIGINT back to their
#                    default action while it writes (ZOO_FLUSH_TAKES_MS, 2) "so a stuck disk can still be killed":
#                    a TERM in those 2 ms kills the process at once (143), about 0.1% of the time.
#
# Environment: PORT (8080), ZOO_MODE (graceful), DATA_DIR (/tmp), ZOO_SLOW_MS (500), ZOO_FLUSH_EVERY_MS (2000),
# ZOO_FLUSH_TAKES_MS (2), and for the zoo matrix only, to put the window at a known instant: ZOO_WINDOW_AT_MS (the
# first flush this long after listening instead of one period) and ZOO_WINDOW_MS (how long that first one takes).
# Endpoints: GET /healthz, GET /slow (ZOO_SLOW_MS, then "done"). Files in DATA_DIR: snapshot (rewritten by each flush).
import os
import select
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODE = os.environ.get('ZOO_MODE', 'graceful')
PORT = int(os.environ.get('PORT', '8080'))
DATA_DIR = os.environ.get('DATA_DIR', '/tmp')
SLOW_S = int(os.environ.get('ZOO_SLOW_MS', '500')) / 1000
EVERY_S = int(os.environ.get('ZOO_FLUSH_EVERY_MS', '2000')) / 1000
TAKES_S = int(os.environ.get('ZOO_FLUSH_TAKES_MS', '2')) / 1000
FIRST_S = int(os.environ.get('ZOO_WINDOW_AT_MS', str(int(EVERY_S * 1000)))) / 1000
FIRST_TAKES_S = int(os.environ.get('ZOO_WINDOW_MS', str(int(TAKES_S * 1000)))) / 1000

if MODE not in ('graceful', 'flush-unguarded'):
    sys.stderr.write(f'zoo-python: unknown ZOO_MODE {MODE!r}\n')
    sys.exit(2)


def log(msg):
    sys.stderr.write(f'{time.strftime("%H:%M:%S")} zoo-python: {msg}\n')
    sys.stderr.flush()


requests = 0
state_lock = threading.Lock()  # held while the snapshot is written; the shutdown takes it before exiting
stopping = threading.Event()  # set by the main thread once a stop signal came, read by the request threads
received = None  # the stop signal, set by the handler: a plain assignment, no lock
wake_r, wake_w = os.pipe()  # the signal's wakeup fd: a byte here ends the main thread's wait at once


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def do_GET(self):
        global requests
        requests += 1
        if self.path == '/healthz':
            return self.answer(200, b'ok\n')
        if self.path == '/slow':
            time.sleep(SLOW_S)
            return self.answer(200, b'done\n')
        self.answer(404, b'not found\n')

    def answer(self, status, body):
        self.send_response(status)
        self.send_header('Content-Type', 'text/plain; charset=utf-8')
        self.send_header('Content-Length', str(len(body)))
        if stopping.is_set():
            self.send_header('Connection', 'close')
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # one line per request is too much
        pass


def write_snapshot(takes):
    path = os.path.join(DATA_DIR, 'snapshot')
    with open(path + '.tmp', 'w') as f:
        f.write(f'requests {requests}\n')
        time.sleep(takes)  # the write and its fsync
    os.replace(path + '.tmp', path)


def flush(takes):
    if MODE == 'flush-unguarded':
        # The bug: default dispositions while writing, restored after. A TERM in between gets the default action
        # and kills the process there and then: no drain, no last snapshot.
        previous = signal.signal(signal.SIGTERM, signal.SIG_DFL), signal.signal(signal.SIGINT, signal.SIG_DFL)
        try:
            with state_lock:
                write_snapshot(takes)
        finally:
            signal.signal(signal.SIGTERM, previous[0])
            signal.signal(signal.SIGINT, previous[1])
        return
    # The correct way: signals stay handled (the handler only sets a flag) and the flush holds state_lock.
    with state_lock:
        write_snapshot(takes)


def on_signal(number, _frame):
    global received
    if received is None:
        received = number


def wait_for_stop(seconds):
    """Sleeps up to `seconds`; True once a stop signal came."""
    if received is None and seconds > 0:
        ready, _, _ = select.select([wake_r], [], [], seconds)
        if ready:
            os.read(wake_r, 512)
    return received is not None


def main():
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    os.makedirs(DATA_DIR, exist_ok=True)
    server = ThreadingHTTPServer(('127.0.0.1', PORT), Handler)
    server.daemon_threads = False  # server_close() joins the requests' threads: the drain
    threading.Thread(target=server.serve_forever, daemon=True).start()
    started = time.monotonic()
    log(f'mode={MODE} pid={os.getpid()} listening on :{PORT}')
    due, takes = started + FIRST_S, FIRST_TAKES_S
    # The main thread waits for the next flush or the stop; signal handlers run here, between waits.
    while not wait_for_stop(due - time.monotonic()):
        if time.monotonic() >= due:
            flush(takes)
            due, takes = due + EVERY_S, TAKES_S
    log(f'{signal.Signals(received).name} received, draining')
    stopping.set()
    server.shutdown()  # stop accepting
    server.server_close()  # wait for the requests in flight
    with state_lock:
        write_snapshot(0)
        log(f'drained ({requests} requests served), exiting')
        # Later signals are ignored: the interpreter's own finalization would give them back their default action.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)


if __name__ == '__main__':
    main()
