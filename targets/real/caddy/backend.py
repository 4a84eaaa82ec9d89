"""The slow backend Caddy proxies to in targets/real/caddy/run.sh: /healthz answers ok; /big sends 1 MiB in 64 chunks
of 16 KiB, one every 62 ms (~4 s). Port from argv[1]. It leaves when Caddy (its parent, after run.sh's exec) does,
so a stopped Caddy leaves nothing running behind it."""
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CHUNK = b"x" * 16384


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/healthz":
            self.send_response(200)
            self.send_header("Content-Length", "3")
            self.end_headers()
            self.wfile.write(b"ok\n")
            return
        if self.path != "/big":
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(CHUNK) * 64))
        self.end_headers()
        for _ in range(64):
            self.wfile.write(CHUNK)
            self.wfile.flush()
            time.sleep(0.062)


def leave_with_parent(parent):
    while os.getppid() == parent:
        time.sleep(0.05)
    os._exit(0)


threading.Thread(target=leave_with_parent, args=(os.getppid(),), daemon=True).start()
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
