"""A client of targets/real/postgresql for sigstorm's `exec` workload: every 1/rate s (default 2) a fresh psql runs
`SELECT pg_sleep(2)` (a query ~2 s long, so one is in flight when a signal lands) and, once it ends, prints one JSON
line: ok when psql exits 0, refused when it could not connect (the server was shutting down or gone), reset when the
server ended the session first (psql's error on stderr).
    python3 client.py <host> <port> [rate]
On SIGTERM it starts nothing more and exits, leaving the queries in flight unreported (unfinished, never a loss)."""
import json
import signal
import subprocess
import sys
import threading
import time

host, port = sys.argv[1], sys.argv[2]
rate = float(sys.argv[3]) if len(sys.argv) > 3 else 2.0
lock = threading.Lock()
stopping = threading.Event()


def query(op_id):
    start = time.time() * 1000
    done = subprocess.run(
        ["psql", "-h", host, "-p", port, "-U", "postgres", "-d", "postgres", "-XAtq", "-c", "SELECT pg_sleep(2)"],
        capture_output=True, text=True, check=False,
    )
    refused = any(t in done.stderr for t in ("the database system is shutting down", "Connection refused", "could not connect"))
    outcome = "ok" if done.returncode == 0 else "refused" if refused else "reset"
    line = {"id": op_id, "op": "SELECT pg_sleep(2)", "start": start, "end": time.time() * 1000, "outcome": outcome}
    if done.returncode != 0:
        line["error"] = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"psql exited {done.returncode}"
    if not stopping.is_set():
        with lock:
            print(json.dumps(line), flush=True)


signal.signal(signal.SIGTERM, lambda *_: (stopping.set(), sys.exit(0)))
op_id = 0
origin = time.monotonic()
while not stopping.is_set():
    threading.Thread(target=query, args=(op_id,), daemon=True).start()
    op_id += 1
    time.sleep(max(0.0, origin + op_id / rate - time.monotonic()))
