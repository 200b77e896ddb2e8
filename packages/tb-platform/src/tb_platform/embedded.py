"""An embedded PostgreSQL for machines that have none: the server ships in the ``pgserver`` wheel."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def start_embedded_postgres(data_dir: Path) -> tuple[Any, str]:
    """Start (or reuse) the PostgreSQL whose data lives in ``data_dir``.

    Returns the server handle (keep it referenced while in use) and a ``postgresql://`` URL that
    reaches it over its unix socket.
    """
    # Imported here: only development and tests need it (tb-devstack and the dev group install
    # it), so service images do not carry a PostgreSQL server.
    import pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(str(data_dir), cleanup_mode="stop")
    return server, server.get_uri()
