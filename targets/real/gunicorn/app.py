"""WSGI app for targets/real/gunicorn/run.sh: /healthz answers ok; /big sends 1 MiB in 64 chunks of 16 KiB,
one every 62 ms, so a download is in flight for about 4 s."""
import time

CHUNK = b"x" * 16384
COUNT = 64


def app(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if path == "/healthz":
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "3")])
        return [b"ok\n"]
    if path == "/big":
        start_response("200 OK", [("Content-Type", "application/octet-stream"),
                                  ("Content-Length", str(len(CHUNK) * COUNT))])
        return slowly()
    start_response("404 Not Found", [("Content-Length", "0")])
    return [b""]


def slowly():
    for _ in range(COUNT):
        yield CHUNK
        time.sleep(0.062)
