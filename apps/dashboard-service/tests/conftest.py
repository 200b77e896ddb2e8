"""Fixtures: one migrated database per run, each test inside a rolled-back transaction, and the
machine's Redis under names of this run's own (the summary's cache namespace, the event stream).

Events reach the read model the way the worker applies them: through each of the worker's
consumers (``Consumer.apply``: the inbox, then the handlers, in one unit of work).
"""

import datetime as dt
import os
import secrets
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

import dashboard_service.models  # noqa: F401  (registers every table on the metadata)
from dashboard_service.cli import ALEMBIC_DIR
from dashboard_service.core.cache import summary_cache, summary_key
from dashboard_service.core.config import DashboardSettings
from dashboard_service.main import create_app
from dashboard_service.worker import WORKER
from tb_platform import migrations
from tb_platform.events.catalog import EventData
from tb_platform.events.consumer import Consumer
from tb_platform.events.envelope import Envelope
from tb_platform.events.redis_streams import RedisStreamsTransport
from tb_platform.testing import TokenFactory
from tb_platform.testing.events import HandedDelivery, NoBroker
from tb_platform.testing.plugin import TEST_SECRET

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SUMMARY = "/api/v1/dashboard/summary"
RUN = secrets.token_hex(4)
# Events of the tests happen "now", a minute apart, so that their order is the one written.
T0 = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=1)


def at(minute: int) -> dt.datetime:
    """An event time: ``minute`` minutes after the tests' origin."""
    return T0 + dt.timedelta(minutes=minute)


@pytest.fixture(scope="session")
def settings(database_url: str) -> DashboardSettings:
    migrations.upgrade(ALEMBIC_DIR, database_url)
    return DashboardSettings(
        database_url=database_url,
        environment="test",
        jwt_secret=TEST_SECRET,
        redis_url=REDIS_URL,
        cache_namespace=f"tb-test:dashboard:{RUN}",
        cache_ttl_seconds=30,
        token_version_prefix=f"tb-test:dashboard:{RUN}:token-version",
    )


@pytest.fixture(scope="session")
def app_factory() -> Callable[[Any], FastAPI]:
    return create_app


@pytest_asyncio.fixture(loop_scope="session", autouse=True)
async def fresh_cache(app: FastAPI) -> AsyncIterator[None]:
    """Each test's data is rolled back after it: so must its cached summary be."""
    cache = summary_cache()
    await cache.delete([summary_key(cache)])
    yield
    await cache.delete([summary_key(cache)])


@pytest.fixture
def tokens_for(tokens: TokenFactory) -> Callable[[str], dict[str, str]]:
    def headers(role: str) -> dict[str, str]:
        return tokens.headers(role, employee_id=7, sub="7")

    return headers


class Feed:
    """Applies envelopes as the worker does: each consumer of the worker that handles the
    type applies it, in its own unit of work, through its inbox."""

    def __init__(self, app: FastAPI) -> None:
        transport = RedisStreamsTransport(REDIS_URL, stream=f"tb-test.dashboard.{RUN}")
        self.consumers = [
            Consumer(name, transport, app.state.database, handlers, tables=WORKER.tables)
            for name, handlers in WORKER.consumers.items()
        ]

    async def apply_together(self, *envelopes: Envelope) -> None:
        """Apply the envelopes as one read of the stream brings them: each consumer's share in
        one batch (one transaction, Consumer.handle_many), as the worker does under a burst."""
        for consumer in self.consumers:
            handed = [
                HandedDelivery.of(envelope)
                for envelope in envelopes
                if envelope.type in consumer.types
            ]
            if handed:
                batch = Consumer(
                    consumer.name,
                    NoBroker(),
                    consumer.database,
                    list(dict.fromkeys(h for hs in consumer.handlers.values() for h in hs)),
                    tables=WORKER.tables,
                )
                await batch.handle_many(handed)
                assert all(delivery.acked for delivery in handed)
                if len(handed) > 1:
                    assert batch.stats.batches == 1, "applied one by one, not as a batch"

    async def apply(self, *envelopes: Envelope) -> list[bool]:
        """Apply each envelope; per envelope, whether it was new to the inbox."""
        applied = []
        for envelope in envelopes:
            results = [
                await consumer.apply(envelope)
                for consumer in self.consumers
                if envelope.type in consumer.types
            ]
            assert results, f"no consumer of the worker handles {envelope.type}"
            applied.append(all(results))
        return applied


@pytest.fixture
def feed(app: FastAPI, connection: Any) -> Feed:
    """The worker's consumers, writing inside the test's rolled-back transaction."""
    return Feed(app)


def event(data: EventData, *, time: dt.datetime, source: str = "tests") -> Envelope:
    return Envelope.create(source=source, data=data, time=time)


async def summary(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.get(SUMMARY, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def month_of(figures: dict[str, Any], month: str, currency: str) -> dict[str, Any]:
    rows = [
        row
        for row in figures["invoices"]["by_month"]
        if row["month"] == month and row["currency"] == currency
    ]
    assert len(rows) == 1, figures["invoices"]["by_month"]
    return rows[0]


def totals_of(figures: dict[str, Any], currency: str) -> dict[str, Any]:
    rows = [row for row in figures["assets"]["totals"] if row["currency"] == currency]
    assert len(rows) == 1, figures["assets"]["totals"]
    return rows[0]


def headcount_of(figures: dict[str, Any]) -> dict[Any, tuple[str | None, int]]:
    return {
        row["department_id"]: (row["name"], row["count"])
        for row in figures["headcount"]["by_department"]
    }


def without_time(figures: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in figures.items() if key != "updated_at"}


def money(value: Any) -> Decimal:
    assert isinstance(value, str), f"money must be a decimal string, got {value!r}"
    return Decimal(value)


# --- the data of events, as the producing services would write it ------------------------------


def employee(
    id: int, *, status: str = "active", department: tuple[int, str] | None = None
) -> dict[str, Any]:
    return {
        "id": id,
        "first_name": "Ada",
        "last_name": f"Number{id}",
        "email": f"e{id}@tb-erp.test",
        "status": status,
        "department_id": department[0] if department else None,
        "department_name": department[1] if department else None,
    }


def asset(
    id: int,
    *,
    status: str = "in_stock",
    category: tuple[int, str] | None = (1, "Laptops"),
    currency: str = "EUR",
    cost: str = "1000.00",
    book_value: str | None = None,
    holder: int | None = None,
) -> dict[str, Any]:
    return {
        "id": id,
        "tag": f"AST-{id:06d}",
        "name": f"Asset {id}",
        "category_id": category[0] if category else None,
        "category_name": category[1] if category else None,
        "status": status,
        "currency": currency,
        "purchase_cost": cost,
        "book_value": book_value if book_value is not None else cost,
        "assigned_employee_id": holder,
    }


def invoice(
    id: int,
    *,
    issued: str = "2026-03-10",
    total: str = "100.00",
    paid: str = "0.00",
    credited: str = "0.00",
    currency: str = "EUR",
    status: str | None = None,
) -> dict[str, Any]:
    balance = Decimal(total) - Decimal(paid) - Decimal(credited)
    return {
        "id": id,
        "number": f"INV-2026-{id:06d}",
        "customer_id": 1,
        "status": status,
        "currency": currency,
        "total": total,
        "amount_paid": paid,
        "credited_total": credited,
        "balance_due": str(balance),
        "issue_date": issued,
    }
