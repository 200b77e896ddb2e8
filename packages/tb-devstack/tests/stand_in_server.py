"""A stand-in service: ``python stand_in_server.py PORT PID_FILE [STOP_SECONDS]``.

It answers 200 on /health, /ready and /docs and 404 anywhere else (a service's bare root is not a
page), writes its pid to PID_FILE, and on SIGTERM takes STOP_SECONDS to stop, as a server that
finishes its requests does: the window in which more signals reach the runner.
"""

import os
import signal
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType

PAGES = {"/health", "/ready", "/docs"}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status = 200 if self.path in PAGES else 404
        body = b"ok" if status == 200 else b'{"detail":"Not Found"}'
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        print(format % args, flush=True)


def stop_slowly(signum: int, frame: FrameType | None) -> None:
    time.sleep(STOP_SECONDS)
    os._exit(0)


if __name__ == "__main__":
    port, pid_file = int(sys.argv[1]), Path(sys.argv[2])
    STOP_SECONDS = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    signal.signal(signal.SIGTERM, stop_slowly)
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    pid_file.write_text(str(os.getpid()))
    print(f"serving on {port}", flush=True)
    server.serve_forever()
