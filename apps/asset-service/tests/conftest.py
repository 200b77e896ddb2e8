"""Fixtures: one migrated database per run, each test inside a rolled-back transaction.

Assignment asks the employee service whether an employee exists, so the run also starts the real
employee service (a subprocess on a free port) on the same database, in its own schema.
"""

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from asset_service.cli import ALEMBIC_DIR
from asset_service.core.config import AssetSettings
from asset_service.main import create_app
from employee_service.cli import ALEMBIC_DIR as EMPLOYEE_ALEMBIC
from tb_platform import migrations
from tb_platform.testing import TokenFactory
from tb_platform.testing.plugin import TEST_SECRET

API = "/api/v1"
STATUSES = ("in_stock", "assigned", "in_maintenance", "retired", "disposed")


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
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"employee-service exited with {process.returncode}")
            try:
                if httpx.get(f"{url}/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("employee-service did not become ready within 30 s")
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


@pytest.fixture(scope="session")
def app_factory() -> Callable[[Any], FastAPI]:
    return create_app


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
    return datetime.now(UTC).date()


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
