"""``python -m tb_devstack.ephemeral``: the whole ERP for one test run, thrown away afterwards.

The browser tests (apps/web-frontend/e2e) start this. It creates a database of its own on the test
server (TEST_DATABASE_URL / DATABASE_URL, as the services' tests do), gives every service, Redis and
the SMTP sink a free port and its data a temporary folder, starts everything as ``up`` does —
services, workers, the web app (built when its sources changed) — and prints one JSON line:
``{"web_url", "services": {name: url}, "logins": [{role, email, password}], "mail_dir"}``.
It runs until its standard input closes or it is sent SIGTERM/SIGINT, then stops everything and
drops the database.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

from tb_platform.testing import temporary_database

from .backing import BACKING
from .services import ERP
from .stack import DevStack, StackError, StopRequest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop_when_stdin_closes(stop_request: StopRequest) -> None:
    sys.stdin.read()
    stop_request(signal.SIGTERM, None)


def main() -> int:
    stop_request = StopRequest()
    stop_request.install()
    # The caller closing our standard input (or dying) is a stop request too.
    threading.Thread(target=_stop_when_stdin_closes, args=(stop_request,), daemon=True).start()
    environ = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "SMTP_URL", "BROKER_URL", "DATABASE_URL")
    }
    with (
        tempfile.TemporaryDirectory(prefix="tb-erp-e2e-") as folder,
        temporary_database("tb_e2e") as database_url,
    ):
        root = Path(folder)
        environ.update(
            DATABASE_URL=database_url,
            REDIS_PORT=str(free_port()),
            SMTP_PORT=str(free_port()),
            **{service.port_variable: str(free_port()) for service in ERP},
        )
        stack = DevStack(
            root=root,
            environ=environ,
            services=ERP,
            backing=BACKING,
            say=lambda message: print(message, file=sys.stderr, flush=True),
            stop_request=stop_request,
        )
        try:
            with stack:
                servers = {r.service.name: r.url for r in stack.servers}
                print(
                    json.dumps(
                        {
                            "web_url": servers.get("web-frontend"),
                            "services": servers,
                            "logins": [
                                {"role": x.role, "email": x.email, "password": x.password}
                                for x in stack.logins
                            ],
                            "mail_dir": str(root / ".data" / "smtp-sink" / "new"),
                        }
                    ),
                    flush=True,
                )
                while not stop_request.requested:
                    exited = stack.first_exited()
                    if exited is not None:
                        print(
                            f"{exited.name} stopped:\n{exited.log_tail()}",
                            file=sys.stderr,
                            flush=True,
                        )
                        return 1
                    time.sleep(0.2)
        except StackError as exc:
            print(f"tb-devstack: {exc}", file=sys.stderr, flush=True)
            return 1
        finally:
            stop_request.ignore()
    return 0


if __name__ == "__main__":
    sys.exit(main())
