"""pytest plugin (entry point ``tb_platform``): the fixtures every service's tests share.

A service's ``conftest.py`` defines two fixtures, and gets the rest from here::

    @pytest.fixture(scope="session")
    def settings(database_url: str) -> MySettings:      # migrate, then the settings to test with
        ...

    @pytest.fixture(scope="session")
    def app_factory() -> Callable[[MySettings], FastAPI]:
        return create_app

Provided: ``database_url`` (a fresh database with a random name, dropped at the end), ``app`` (one
per run), ``connection`` and ``client`` (each test inside a transaction that is rolled back),
``tokens`` (signs tokens with the settings' key) and ``admin`` (headers of an admin caller).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection

from .database import temporary_database
from .harness import TokenFactory, api_client, rolled_back

# The JWT key test settings use (long enough for HS256's minimum).
TEST_SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789"  # noqa: S105


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A fresh database with a random name for this test run, dropped when the run ends."""
    with temporary_database() as url:
        yield url


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def app(settings: Any, app_factory: Callable[[Any], FastAPI]) -> AsyncIterator[FastAPI]:
    """The service's application, built once per run from the ``settings`` fixture."""
    application = app_factory(settings)
    yield application
    await application.state.database.dispose()


@pytest_asyncio.fixture(loop_scope="session")
async def connection(app: FastAPI) -> AsyncIterator[AsyncConnection]:
    """The test's transaction: everything the app does in this test is rolled back after it."""
    async with rolled_back(app) as connection:
        yield connection


@pytest_asyncio.fixture(loop_scope="session")
async def client(app: FastAPI, connection: AsyncConnection) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the app in process, inside the test's transaction."""
    async with api_client(app) as http:
        yield http


@pytest.fixture(scope="session")
def tokens(settings: Any) -> TokenFactory:
    """Signs tokens as the login endpoint would, with the key of the ``settings`` fixture."""
    return TokenFactory(
        secret=settings.jwt_secret.get_secret_value(),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
    )


@pytest.fixture
def admin(tokens: TokenFactory) -> dict[str, str]:
    """An admin caller without an employee record of their own (like a service account)."""
    return tokens.headers("admin", sub="admin-tests")
