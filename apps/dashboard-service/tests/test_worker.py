"""End to end through a real Redis stream: a producer's outbox, the relay, the dashboard's
worker consumers (the pieces ``dashboard-service worker`` runs), the summary over HTTP."""

import asyncio
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
import pytest_asyncio
from alembic.migration import MigrationContext
from alembic.operations import Operations
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import Connection

from dashboard_service.db import SCHEMA, TableModel
from dashboard_service.worker import WORKER
from tb_platform.db import Database, make_metadata
from tb_platform.events import EventTables, create_event_tables, event_tables
from tb_platform.events.catalog import (
    AssetCreated,
    EmployeeCreated,
    InvoiceIssued,
    PaymentRecorded,
)
from tb_platform.events.consumer import Consumer
from tb_platform.events.redis_streams import RedisStreamsTransport
from tb_platform.events.relay import Relay
from tb_platform.events.worker import run_worker
from tb_platform.testing import api_client
from tb_platform.uow import Actor, unit_of_work

from .conftest import REDIS_URL, asset, employee, invoice, summary


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {within}s")
        await asyncio.sleep(0.02)


@pytest_asyncio.fixture(loop_scope="session")
async def producer(database_url: str) -> AsyncIterator[tuple[Database, EventTables]]:
    """Another service's schema with its event tables: what its migration would create."""
    schema = f"producer_{secrets.token_hex(4)}"
    tables = event_tables(make_metadata(schema), source="producer-service")
    database = Database.connect(database_url, pool_size=2, max_overflow=0)

    def migrate(connection: Connection) -> None:
        create_event_tables(Operations(MigrationContext.configure(connection)), schema)

    async with database.engine.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        await connection.run_sync(migrate)
    try:
        yield database, tables
    finally:
        async with database.engine.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await database.dispose()


@pytest_asyncio.fixture(loop_scope="session")
async def committed(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The API on the app's own sessionmaker (real commits); the read model is emptied after."""
    try:
        async with api_client(app) as client:
            yield client
    finally:
        names = ", ".join(f'{SCHEMA}."{t.name}"' for t in TableModel.metadata.sorted_tables)
        async with app.state.database.engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {names}"))


async def test_published_events_reach_the_summary_through_redis_streams(
    producer: tuple[Database, EventTables],
    committed: httpx.AsyncClient,
    admin: dict[str, str],
    database_url: str,
) -> None:
    producer_db, producer_tables = producer
    stream = f"tb-test.dashboard.{secrets.token_hex(6)}"
    transport = RedisStreamsTransport(REDIS_URL, stream=stream, block_ms=100)
    # The worker owns its database and transport: it disposes and closes them when it stops.
    worker_db = Database.connect(database_url, pool_size=4, max_overflow=0)
    consumers = [
        Consumer(name, transport, worker_db, handlers, tables=WORKER.tables, retry_base=0.01)
        for name, handlers in WORKER.consumers.items()
    ]
    relay = Relay(producer_db, transport, producer_tables)
    stop = asyncio.Event()
    worker = asyncio.create_task(
        run_worker(
            worker_db,
            transport,
            relay=relay,
            consumers=consumers,
            stop=stop,
            handle_signals=False,
        )
    )

    async def publish(*data: Any) -> None:
        async with unit_of_work(
            producer_db, actor=Actor.system("tests"), outbox=producer_tables
        ) as uow:
            for item in data:
                await uow.publish(item)

    async def figures() -> dict[str, Any]:
        return await summary(committed, admin)

    try:
        await publish(
            EmployeeCreated(**employee(1, department=(10, "Engineering"))),
            AssetCreated(**asset(1, cost="1500.00")),
            InvoiceIssued(**invoice(1, issued="2026-03-10", total="250.00")),
        )

        async def everything_arrived() -> bool:
            now = await figures()
            return (
                now["headcount"]["total"] == 1
                and now["assets"]["count"] == 1
                and len(now["invoices"]["by_month"]) == 1
            )

        await eventually(everything_arrived)
        # Now cached; the payment's event must drop it.
        await publish(
            PaymentRecorded(
                **invoice(1, issued="2026-03-10", total="250.00", paid="250.00"),
                payment_id=1,
                payment_amount="250.00",
                paid_at="2026-03-15T12:00:00Z",
            )
        )

        async def collected() -> bool:
            march = (await figures())["invoices"]["by_month"][0]
            return bool(march["collected"] == "250.00" and march["outstanding"] == "0.00")

        await eventually(collected)
    finally:
        stop.set()
        await asyncio.wait_for(worker, timeout=5)
        cleanup = RedisStreamsTransport(REDIS_URL, stream=stream)
        await cleanup.delete_stream()
        await cleanup.close()

    assert worker.exception() is None
    assert sum(consumer.stats.applied for consumer in consumers) == 4
    final = await figures()
    assert final["assets"]["totals"] == [
        {"currency": "EUR", "cost": "1500.00", "book_value": "1500.00"}
    ]
