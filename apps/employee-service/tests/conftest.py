"""Fixtures: one migrated database per run, each test inside a rolled-back transaction.

The cache is the machine's Redis (TEST_REDIS_URL, default 127.0.0.1:6379) under a namespace of
this run's own, whose keys are deleted at the end: the shared Redis is never flushed.
"""

import datetime as dt
import os
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from redis.asyncio import Redis

from employee_service.cli import ALEMBIC_DIR
from employee_service.core.config import EmployeeSettings
from employee_service.main import create_app
from tb_platform import migrations
from tb_platform.testing import TokenFactory
from tb_platform.testing.plugin import TEST_SECRET
from tb_platform.uow import FrozenClock

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="session")
def settings(database_url: str) -> EmployeeSettings:
    migrations.upgrade(ALEMBIC_DIR, database_url)
    namespace = f"tb-erp-test-{secrets.token_hex(6)}:employee-service"
    return EmployeeSettings(
        database_url=database_url,
        environment="test",
        jwt_secret=TEST_SECRET,
        # Cheap hashing keeps the suite fast; production uses argon2-cffi's defaults.
        argon2_time_cost=1,
        argon2_memory_cost_kib=1024,
        argon2_parallelism=1,
        redis_url=REDIS_URL,
        cache_namespace=namespace,
        # The run's own token versions (its employee ids restart with each run's database).
        token_version_prefix=f"{namespace}:token-version",
    )


@pytest.fixture(scope="session")
def app_factory() -> Callable[[Any], FastAPI]:
    return create_app


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def app(settings: EmployeeSettings) -> AsyncIterator[FastAPI]:
    """The app of the run (the plugin's, plus closing the cache and deleting the run's keys)."""
    application = create_app(settings)
    yield application
    await application.state.cache.close()
    await application.state.token_versions.close()
    await application.state.database.dispose()
    redis = Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in redis.scan_iter(match=f"{settings.cache_namespace}:*")]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()


@pytest.fixture
def clock(app: FastAPI) -> Iterator[FrozenClock]:
    """Stops the app's clock (what "now" and "today" are for its units of work) for one test."""
    frozen = FrozenClock(dt.datetime(2026, 3, 4, 9, 0, tzinfo=dt.UTC))
    app.state.clock = frozen
    try:
        yield frozen
    finally:
        del app.state.clock


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
