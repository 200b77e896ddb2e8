"""Fixtures: one migrated database per run, each test inside a rolled-back transaction."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from employee_service.cli import ALEMBIC_DIR
from employee_service.core.config import EmployeeSettings
from employee_service.main import create_app
from tb_platform import migrations
from tb_platform.testing import TokenFactory
from tb_platform.testing.plugin import TEST_SECRET


@pytest.fixture(scope="session")
def settings(database_url: str) -> EmployeeSettings:
    migrations.upgrade(ALEMBIC_DIR, database_url)
    return EmployeeSettings(
        database_url=database_url,
        environment="test",
        jwt_secret=TEST_SECRET,
        # Cheap hashing keeps the suite fast; production uses argon2-cffi's defaults.
        argon2_time_cost=1,
        argon2_memory_cost_kib=1024,
        argon2_parallelism=1,
    )


@pytest.fixture(scope="session")
def app_factory() -> Callable[[Any], FastAPI]:
    return create_app


@pytest.fixture
def hr(tokens: TokenFactory) -> dict[str, str]:
    return tokens.headers("hr_manager", sub="hr-tests")


class Factory:
    """Creates rows through the API, the way a user would."""

    def __init__(self, client: httpx.AsyncClient, admin: dict[str, str]) -> None:
        self.client = client
        self.admin = admin
        self._n = 0

    async def employee(self, **fields: Any) -> dict[str, Any]:
        self._n += 1
        body = {
            "first_name": "Test",
            "last_name": f"Person{self._n:03d}",
            "email": f"person{self._n:03d}@tb-erp.test",
            "hire_date": "2025-01-06",
            **fields,
        }
        response = await self.client.post("/api/v1/employees", json=body, headers=self.admin)
        assert response.status_code == 201, response.text
        return response.json()

    async def department(self, **fields: Any) -> dict[str, Any]:
        self._n += 1
        body = {"name": f"Department {self._n:03d}", "code": f"D{self._n:03d}", **fields}
        response = await self.client.post("/api/v1/departments", json=body, headers=self.admin)
        assert response.status_code == 201, response.text
        return response.json()


@pytest.fixture
def make(client: httpx.AsyncClient, admin: dict[str, str]) -> Factory:
    return Factory(client, admin)
