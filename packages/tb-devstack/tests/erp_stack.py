"""The whole ERP as `up` runs it, started for one test module: five services, their workers, Redis
and the SMTP sink on free ports, a database of its own; plus the small helpers tests use on it."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from conftest import free_port

from tb_devstack.backing import BACKING
from tb_devstack.load import Targets
from tb_devstack.services import SERVICES
from tb_devstack.stack import DevStack
from tb_platform.db import libpq_url
from tb_platform.testing import temporary_database

EMPLOYEES, ASSETS, INVOICES, DASHBOARD, NOTIFICATIONS = (
    "employee-service",
    "asset-service",
    "invoice-service",
    "dashboard-service",
    "notification-service",
)


@contextmanager
def running_erp(root: Path, **environment: str) -> Iterator[DevStack]:
    """The ERP in ``root`` (a fresh folder), with ``environment`` added to its variables."""
    (root / "tberp.py").write_text("")
    environ: dict[str, Any] = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "SMTP_URL", "BROKER_URL")
    }
    with temporary_database() as database_url:
        environ.update(
            DATABASE_URL=database_url,
            REDIS_PORT=str(free_port()),
            SMTP_PORT=str(free_port()),
            **{service.port_variable: str(free_port()) for service in SERVICES},
        )
        environ.update(environment)
        stack = DevStack(root=root, environ=environ, backing=BACKING, say=lambda _: None)
        with stack:
            yield stack


def url(stack: DevStack, service: str) -> str:
    return next(r.url for r in stack.servers if r.service.name == service)


def login(stack: DevStack, role: str) -> dict[str, str]:
    demo = next(login for login in stack.logins if login.role == role)
    answer = httpx.post(
        url(stack, EMPLOYEES) + "/api/v1/auth/login",
        json={"email": demo.email, "password": demo.password},
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def eventually(check: Callable[[], Any], *, within: float = 10.0) -> Any:
    """``check()``'s first truthy answer; fails after ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        answer = check()
        if answer:
            return answer
        if time.monotonic() > deadline:
            pytest.fail(f"not true within {within} s")
        time.sleep(0.1)


def database_url(stack: DevStack) -> str:
    """The stack's database as a libpq URL, for psycopg."""
    return libpq_url(stack._env["DATABASE_URL"])


def load_targets(stack: DevStack) -> Targets:
    """The services a load run (tb_devstack.load) aims at, as this stack serves them."""
    return Targets.of({running.service.name: running.url for running in stack.servers})


@dataclass
class ConnectionCount:
    """The most client connections the stack's PostgreSQL server had at once while sampled, and
    how many it allows."""

    peak: int = 0
    allowed: int = 0


@contextmanager
def counting_connections(stack: DevStack, every: float = 0.25) -> Iterator[ConnectionCount]:
    """Sample the server's client connections (all its databases: its other users count against
    the same ``max_connections``) in a thread while inside."""
    count = ConnectionCount()
    stop = threading.Event()

    def sample() -> None:
        with psycopg.connect(database_url(stack), autocommit=True) as connection:
            row = connection.execute("SHOW max_connections").fetchone()
            count.allowed = int(row[0]) if row else 0
            while not stop.wait(every):
                row = connection.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
                ).fetchone()
                count.peak = max(count.peak, int(row[0]) if row else 0)

    thread = threading.Thread(target=sample, name="connection-count", daemon=True)
    thread.start()
    try:
        yield count
    finally:
        stop.set()
        thread.join(timeout=10)
