"""Fixtures: one migrated database per run, each test inside a rolled-back transaction.

Assignment checks employees against the asset service's employee projection, which asks the
employee service about ids it does not know yet; so the run also starts the real employee
service (a subprocess on a free port) on the same database, in its own schema. The app's clock
stands still at ``NOW``: "today" in a test is ``today()``, never the machine's date.
"""

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import select

from asset_service.cli import ALEMBIC_DIR
from asset_service.core.config import AssetSettings
from asset_service.db.events import EMPLOYEES
from asset_service.main import create_app
from asset_service.worker import EMPLOYEE_CONSUMER, WORKER
from employee_service.cli import ALEMBIC_DIR as EMPLOYEE_ALEMBIC
from employee_service.db.events import EVENTS as EMPLOYEE_EVENTS
from tb_platform import migrations
from tb_platform.db import Database
from tb_platform.employee_directory import EmployeeDirectory
from tb_platform.events.consumer import Consumer
from tb_platform.events.envelope import Envelope
from tb_platform.testing import TokenFactory
from tb_platform.testing.events import NoBroker
from tb_platform.testing.plugin import TEST_SECRET
from tb_platform.uow import FrozenClock

API = "/api/v1"
STATUSES = ("in_stock", "assigned", "in_maintenance", "retired", "disposed")
# The time the app sees in every test (before the machine's date, after every fixed test date).
NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class EmployeeService:
    """The real employee service, running for the whole test run."""

    url: str
    admin: dict[str, str]

    def hire(self, **fields: Any) -> dict[str, Any]:
        """A new active employee (committed: the employee service is another process)."""
        body = {
            "first_name": "Asset",
            "last_name": "Holder",
            "email": f"holder-{uuid.uuid4().hex[:12]}@tb-erp.test",
            "hire_date": "2024-01-08",
            **fields,
        }
        response = httpx.post(f"{self.url}/api/v1/employees", json=body, headers=self.admin)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def terminate(self, employee_id: int) -> None:
        response = httpx.delete(f"{self.url}/api/v1/employees/{employee_id}", headers=self.admin)
        assert response.status_code == 204, response.text


@pytest.fixture(scope="session")
def employee_service(database_url: str) -> Iterator[EmployeeService]:
    migrations.upgrade(EMPLOYEE_ALEMBIC, database_url)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    executable = Path(sys.executable).parent / "employee-service"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "JWT_SECRET": TEST_SECRET,
        "ENVIRONMENT": "test",
        "LOG_LEVEL": "warning",
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_COST_KIB": "1024",
        "ARGON2_PARALLELISM": "1",
    }
    process = subprocess.Popen(  # noqa: S603 (our own console script)
        [str(executable), "serve", "--host", "127.0.0.1", "--port", str(port)], env=env
    )
    try:
        deadline = time.monotonic() + 120  # it starts in ~2 s, ~15 s on a saturated machine
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"employee-service exited with {process.returncode}")
            try:
                if httpx.get(f"{url}/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("employee-service did not become ready within 120 s")
            time.sleep(0.1)
        factory = TokenFactory(secret=TEST_SECRET, issuer="tb-erp", audience="tb-erp-services")
        yield EmployeeService(url=url, admin=factory.headers("admin", sub="admin-tests"))
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def settings(database_url: str, employee_service: EmployeeService) -> AssetSettings:
    migrations.upgrade(ALEMBIC_DIR, database_url)
    return AssetSettings(
        database_url=database_url,
        environment="test",
        jwt_secret=TEST_SECRET,
        employee_service_url=employee_service.url,
    )


def frozen_app(settings: AssetSettings) -> FastAPI:
    """The app with its clock standing still at ``NOW``."""
    app = create_app(settings)
    app.state.clock = FrozenClock(NOW)
    return app


@pytest.fixture(scope="session")
def app_factory() -> Callable[[Any], FastAPI]:
    return frozen_app


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def app(settings: AssetSettings, app_factory: Callable[[Any], FastAPI]) -> Any:
    """The app of the run (the plugin's, plus closing the employee directory's client)."""
    application = app_factory(settings)
    yield application
    await application.state.employee_directory.aclose()
    await application.state.database.dispose()


@asynccontextmanager
async def employee_service_at(
    app: FastAPI, settings: AssetSettings, **changes: Any
) -> AsyncIterator[None]:
    """The app asks another employee service (a dead port, a hanging one) for the block."""
    original = app.state.employee_directory
    directory = EmployeeDirectory(EMPLOYEES, settings.model_copy(update=changes))
    app.state.employee_directory = directory
    try:
        yield
    finally:
        app.state.employee_directory = original
        await directory.aclose()


def employee_consumer(database: Database) -> Consumer:
    """The asset service's consumer of employee events, as its worker runs it."""
    return Consumer(
        EMPLOYEE_CONSUMER,
        NoBroker(),
        database,
        WORKER.consumers[EMPLOYEE_CONSUMER],
        tables=WORKER.tables,
    )


async def deliver_employee_events(app: FastAPI, employee_id: int) -> list[Envelope]:
    """What the employee service published about ``employee_id`` (its outbox), applied by the
    asset service's consumer in the test's transaction, as the worker would apply it."""
    database: Database = app.state.database
    outbox = EMPLOYEE_EVENTS.outbox
    async with database.sessionmaker() as session:
        payloads = (
            await session.scalars(
                select(outbox.c.payload)
                .where(outbox.c.subject == str(employee_id))
                .order_by(outbox.c.id)
            )
        ).all()
    envelopes = [Envelope.model_validate(payload) for payload in payloads]
    consumer = employee_consumer(database)
    for envelope in envelopes:
        await consumer.apply(envelope)
    return envelopes


@pytest.fixture
def manager(tokens: TokenFactory) -> dict[str, str]:
    return tokens.headers("asset_manager", sub="asset-manager-tests")


@dataclass(frozen=True)
class Staff:
    """Employees that exist in the employee service for the whole run."""

    alice: dict[str, Any]
    bob: dict[str, Any]
    carol: dict[str, Any]
    gone: dict[str, Any]  # terminated


@pytest.fixture(scope="session")
def staff(employee_service: EmployeeService) -> Staff:
    gone = employee_service.hire(first_name="Gone", last_name="Away")
    employee_service.terminate(gone["id"])
    return Staff(
        alice=employee_service.hire(first_name="Alice"),
        bob=employee_service.hire(first_name="Bob"),
        carol=employee_service.hire(first_name="Carol"),
        gone=gone,
    )


# ---- helpers ---------------------------------------------------------------------------------


def today() -> date:
    """The app's business date in tests (its clock is frozen at ``NOW``)."""
    return NOW.date()


def money(value: Any) -> Decimal:
    """A JSON money value (a decimal string) as a Decimal; refuses floats sneaking through."""
    assert isinstance(value, str), f"money must be a decimal string, got {value!r}"
    return Decimal(value)


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def fields_of(response: httpx.Response) -> list[str]:
    """The fields a 422 names (and checks it is a 422 in the shared shape)."""
    assert response.status_code == 422, response.text
    return [error["field"] for error in response.json()["detail"]]


class Factory:
    """Creates rows through the API, the way a user would."""

    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers
        self._n = 0

    def _next(self) -> int:
        self._n += 1
        return self._n

    async def category(self, **fields: Any) -> dict[str, Any]:
        n = self._next()
        body = {
            "name": f"Category {n:03d}",
            "code": f"CAT{n:03d}",
            "default_useful_life_months": 36,
            "default_depreciation_method": "straight_line",
            "default_salvage_percent": "10",
            **fields,
        }
        response = await self.client.post(f"{API}/categories", json=body, headers=self.headers)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def asset(self, category: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
        if category is None and "category_id" not in fields:
            category = await self.category()
        n = self._next()
        body: dict[str, Any] = {
            "name": f"Asset {n:03d}",
            "purchase_date": "2024-01-15",
            "purchase_cost": "1200.00",
            **fields,
        }
        if category is not None:
            body.setdefault("category_id", category["id"])
        response = await self.client.post(f"{API}/assets", json=body, headers=self.headers)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def assign(self, asset: dict[str, Any], employee: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post(
            f"{API}/assets/{asset['id']}/assign",
            json={"employee_id": employee["id"]},
            headers=self.headers,
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def open_maintenance(self, asset: dict[str, Any], **fields: Any) -> dict[str, Any]:
        body = {"kind": "corrective", "description": "Broken screen", **fields}
        response = await self.client.post(
            f"{API}/assets/{asset['id']}/maintenance", json=body, headers=self.headers
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def dispose(self, asset: dict[str, Any], **fields: Any) -> dict[str, Any]:
        body = {"date": today().isoformat(), "proceeds": "10.00", "reason": "Sold", **fields}
        response = await self.client.post(
            f"{API}/assets/{asset['id']}/dispose", json=body, headers=self.headers
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def get(self, asset: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.get(f"{API}/assets/{asset['id']}", headers=self.headers)
        assert response.status_code == 200, response.text
        return dict(response.json())


@pytest.fixture
def make(client: httpx.AsyncClient, manager: dict[str, str]) -> Factory:
    return Factory(client, manager)
