"""Fixtures: one migrated database per run, each test inside a rolled-back transaction."""

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection

from invoice_service.cli import ALEMBIC_DIR
from invoice_service.core.config import InvoiceSettings
from invoice_service.main import create_app
from tb_platform import migrations
from tb_platform.testing import TokenFactory, api_client, rolled_back

TEST_SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789"


@pytest.fixture(scope="session")
def settings(database_url: str) -> InvoiceSettings:
    migrations.upgrade(ALEMBIC_DIR, database_url)
    return InvoiceSettings(database_url=database_url, environment="test", jwt_secret=TEST_SECRET)


@pytest.fixture(scope="session")
async def app(settings: InvoiceSettings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    yield application
    await application.state.database.dispose()


@pytest.fixture
async def connection(app: FastAPI) -> AsyncIterator[AsyncConnection]:
    async with rolled_back(app) as connection:
        yield connection


@pytest.fixture
async def client(app: FastAPI, connection: AsyncConnection) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(app) as http:
        yield http


@pytest.fixture(scope="session")
def tokens(settings: InvoiceSettings) -> TokenFactory:
    return TokenFactory(
        secret=TEST_SECRET, issuer=settings.jwt_issuer, audience=settings.jwt_audience
    )


@pytest.fixture
def admin(tokens: TokenFactory) -> dict[str, str]:
    """An admin caller without an employee record of their own (like a service account)."""
    return tokens.headers("admin", sub="admin-tests")
