"""The whole ERP as `up` runs it, started for one test module: five services, their workers, Redis
and the SMTP sink on free ports, a database of its own; plus the small helpers tests use on it."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import free_port

from tb_devstack.backing import BACKING
from tb_devstack.services import SERVICES
from tb_devstack.stack import DevStack
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
