# Zoo target (Python 3, stdlib only): a pre-forking HTTP server. The master binds the listener and forks ZOO_WORKERS
# workers that accept from it, one request per connection (each answered with Connection: close).
#
#   graceful    SIGTERM/SIGINT: the master closes its copy of the listener and sends each worker SIGTERM; a worker
#               finishes the request in hand, closes its copy and exits 0; the master waits for them and exits 0.
#               Connections still in the listen queue when the last copy closes are reset by the kernel: refusals,
#               never taken up by the application.
#   kill-workers SIGTERM/SIGINT is a "fast stop": the master SIGKILLs its workers at once, then closes the listener
#               and exits 0. Every request a worker had accepted (read, and was answering) is reset with no byte
#               sent, however long ago it came: lost at every age, 1 ms or 1 s before the signal.
#
# Environment: PORT (8080), ZOO_MODE (graceful), ZOO_WORKERS (6), ZOO_SLOW_MS (200), HOST (0.0.0.0).
# Endpoints: GET /healthz, GET /slow (ZOO_SLOW_MS, then "done").
import os
import select
import signal
import socket
import sys
import time

MODE = os.environ.get('ZOO_MODE', 'graceful')
PORT = int(os.environ.get('PORT', '8080'))
HOST = os.environ.get('HOST', '0.0.0.0')
WORKERS = int(os.environ.get('ZOO_WORKERS', '6'))
SLOW_S = int(os.environ.get('ZOO_SLOW_MS', '200')) / 1000
STOPS = {signal.SIGTERM, signal.SIGINT}

if MODE not in ('graceful', 'kill-workers'):
    sys.stderr.write(f'zoo-prefork: unknown ZOO_MODE {MODE!r}\n')
    sys.exit(2)


def log(msg):
    sys.stderr.write(f'{time.strftime("%H:%M:%S")} zoo-prefork[{os.getpid()}]: {msg}\n')
    sys.stderr.flush()


def answer(conn):
    conn.settimeout(5)
    data = b''
    while b'\r\n\r\n' not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return
        data += chunk
    path = data.split(b' ', 2)[1] if data.count(b' ') >= 2 else b'/'
    if path.startswith(b'/slow'):
        time.sleep(SLOW_S)
        body = b'done\n'
    else:
        body = b'ok\n'
    conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' % (len(body), body))


def worker(listener):
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the master decides; a Ctrl-C reaches the whole group
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPS)
    listener.setblocking(False)
    while not stopping:
        ready, _, _ = select.select([listener], [], [], 0.05)
        if not ready or stopping:
            continue
        try:
            conn, _ = listener.accept()
        except (BlockingIOError, InterruptedError):
            continue
        conn.setblocking(True)
        try:
            answer(conn)
        except OSError as e:
            log(f'request failed: {e}')
        finally:
            conn.close()
    listener.close()
    os._exit(0)


def main():
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((HOST, PORT))
    listener.listen(128)
    signal.pthread_sigmask(signal.SIG_BLOCK, STOPS)  # until sigwait: no signal lost between the forks and the wait
    workers = []
    for _ in range(WORKERS):
        pid = os.fork()
        if pid == 0:
            worker(listener)
        workers.append(pid)
    log(f'listening on {HOST}:{PORT} with {WORKERS} workers ({MODE})')
    got = signal.sigwait(STOPS)
    if MODE == 'kill-workers':
        log(f'{signal.Signals(got).name}: fast stop, killing the workers')
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        listener.close()
    else:
        log(f'{signal.Signals(got).name}: closing the listener, the workers finish what they hold')
        listener.close()
        for pid in workers:
            os.kill(pid, signal.SIGTERM)
    for pid in workers:
        os.waitpid(pid, 0)
    log('stopped')
    sys.exit(0)


main()
