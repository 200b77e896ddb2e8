"""Where tests get PostgreSQL from, and the database each run creates and drops."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
_embedded: list[Any] = []  # keeps the embedded server alive for the whole run


def _answers(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=2):
            return True
    except psycopg.Error:
        return False


def server_url() -> str:
    """The server tests use: TEST_DATABASE_URL, else 127.0.0.1:5432 if it answers, else embedded."""
    explicit = os.environ.get("TEST_DATABASE_URL")
    if explicit:
        return explicit
    if _answers(LOCAL_SERVER):
        return LOCAL_SERVER
    from ..embedded import start_embedded_postgres

    server, url = start_embedded_postgres(Path(tempfile.mkdtemp(prefix="tb-erp-test-pg-")))
    _embedded.append(server)
    return url


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextmanager
def temporary_database(prefix: str = "tb_test") -> Iterator[str]:
    """Create a database with a random name on the test server; drop it afterwards."""
    admin_url = server_url()
    name = f"{prefix}_{secrets.token_hex(6)}"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(admin_url, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
