"""From commit to the other services: the real relay and consumers on Redis Streams.

These tests commit (``committed_client``), so that the relay — on connections of its own, like the
worker's — sees what the requests wrote. Redis is the machine's (TEST_REDIS_URL, default
127.0.0.1:6379), on a stream of each test's own that is deleted afterwards.
"""

import asyncio
import datetime as dt
import os
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select

from invoice_service.core.config import InvoiceSettings
from invoice_service.db.events import EMPLOYEES, EVENTS
from invoice_service.worker import EMPLOYEES_CONSUMER, WORKER
from tb_platform.db import Database
from tb_platform.events.catalog import (
    EmployeeCreated,
    EmployeeDeleted,
    InvoicePaid,
    PaymentRecorded,
)
from tb_platform.events.consumer import Consumer, handles
from tb_platform.events.envelope import Envelope
from tb_platform.events.redis_streams import RedisStreamsTransport
from tb_platform.events.relay import Relay
from tb_platform.uow import UnitOfWork

from .conftest import INVOICES, Factory, FakeEmployeeService, fields_of, line

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


async def eventually(check: Callable[[], Awaitable[bool]], *, within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {within} s")
        await asyncio.sleep(0.01)


@pytest.fixture
async def database(settings: InvoiceSettings) -> AsyncIterator[Database]:
    """A database of the relay's and consumers' own, as the worker process has."""
    assert settings.database_url is not None
    db = Database.connect(settings.database_url, pool_size=4, max_overflow=2)
    yield db
    await db.dispose()


@pytest.fixture
async def transport() -> AsyncIterator[RedisStreamsTransport]:
    """Redis Streams on a stream of this test's own, deleted afterwards (never FLUSHALL)."""
    chosen = RedisStreamsTransport(
        REDIS_URL,
        stream=f"tb-test.invoice-service.{secrets.token_hex(6)}",
        claim_idle_ms=2000,
        reconnect_base=0.05,
        reconnect_cap=0.3,
    )
    try:
        yield chosen
    finally:
        try:
            await chosen.delete_stream()
        finally:
            await chosen.close()


@asynccontextmanager
async def running(*parts: Relay | Consumer) -> AsyncIterator[None]:
    """Run the relay and consumers in the background for the block, and stop them cleanly."""
    for part in parts:
        if isinstance(part, Consumer):
            await part.declare()
    stop = asyncio.Event()
    tasks = [asyncio.create_task(part.run(stop)) for part in parts]
    try:
        yield
    finally:
        stop.set()
        done, pending = await asyncio.wait(tasks, timeout=5)
        for task in pending:
            task.cancel()
        assert not pending, "a relay or consumer did not stop within 5 s"
        for task in done:
            task.result()


async def test_a_payment_reaches_a_consumer_as_payment_recorded_then_invoice_paid(
    make_committed: Factory, database: Database, transport: RedisStreamsTransport
) -> None:
    received: list[Envelope] = []

    @handles("payment.recorded", "invoice.paid")
    async def remember(uow: UnitOfWork, event: Envelope) -> None:
        received.append(event)

    consumer = Consumer(
        "invoice-service.tests", transport, database, [remember], tables=EVENTS, retry_base=0.01
    )
    relay = Relay(database, transport, EVENTS, retry_base=0.05, retry_cap=0.5)
    async with running(relay, consumer):
        customer = await make_committed.customer(name="Delivered Ltd", currency="EUR")
        invoice = await make_committed.issued(customer, lines=[line("1", "80.00")])
        payment = await make_committed.pay(invoice["id"], "80.00")

        async def both_arrived() -> bool:
            return len(received) >= 2

        await eventually(both_arrived)

    recorded, paid = received
    assert (recorded.type, paid.type) == ("payment.recorded", "invoice.paid")
    assert {recorded.subject, paid.subject} == {str(invoice["id"])}
    payment_data = PaymentRecorded.of(recorded)
    assert (payment_data.payment_id, payment_data.payment_amount) == (
        payment["id"],
        Decimal("80.00"),
    )
    paid_data = InvoicePaid.of(paid)
    assert (paid_data.customer_name, paid_data.status, paid_data.balance_due) == (
        "Delivered Ltd",
        "paid",
        Decimal(0),
    )
    assert consumer.stats.applied == 2
    async with database.sessionmaker() as session:
        unpublished = await session.scalars(
            select(EVENTS.outbox.c.type).where(EVENTS.outbox.c.published_at.is_(None))
        )
        assert unpublished.all() == []


async def test_paying_the_balance_in_parallel_writes_invoice_paid_once(
    committed_client: httpx.AsyncClient,
    admin: dict[str, str],
    make_committed: Factory,
    database: Database,
) -> None:
    customer = await make_committed.customer(name="Parallel Settler", currency="EUR")
    invoice = await make_committed.issued(customer, lines=[line("1", "64.00")])
    url = f"{INVOICES}/{invoice['id']}/payments"

    responses = await asyncio.gather(
        *(
            committed_client.post(url, json={"amount": "16.00", "method": "card"}, headers=admin)
            for _ in range(6)
        )
    )

    assert sorted(r.status_code for r in responses)[:4] == [201] * 4, [r.text for r in responses]
    outbox = EVENTS.outbox
    async with database.sessionmaker() as session:
        types = (
            await session.scalars(
                select(outbox.c.type)
                .where(outbox.c.subject == str(invoice["id"]))
                .order_by(outbox.c.id)
            )
        ).all()
    assert types == ["invoice.issued", *["payment.recorded"] * 4, "invoice.paid"]


def _employee(event: type[EmployeeCreated | EmployeeDeleted], employee_id: int) -> Envelope:
    return Envelope.create(
        source="employee-service",
        data=event(
            id=employee_id,
            first_name="Terry",
            last_name="Nated",
            email=f"t{employee_id}@tb-erp.test",
            status="terminated" if event is EmployeeDeleted else "active",
        ),
        time=dt.datetime.now(dt.UTC),
    )


async def test_the_worker_s_employee_consumer_keeps_the_projection_an_invoice_is_checked_against(
    committed_client: httpx.AsyncClient,
    admin: dict[str, str],
    make_committed: Factory,
    database: Database,
    transport: RedisStreamsTransport,
    employee_service: FakeEmployeeService,
) -> None:
    consumer = Consumer(
        EMPLOYEES_CONSUMER,
        transport,
        database,
        WORKER.consumers[EMPLOYEES_CONSUMER],
        tables=EVENTS,
        retry_base=0.01,
    )
    hired, leaver = 4711, 4712
    async with running(consumer):
        for envelope in (
            _employee(EmployeeCreated, hired),
            _employee(EmployeeCreated, leaver),
            _employee(EmployeeDeleted, leaver),
        ):
            await transport.publish(envelope)

        async def projected() -> bool:
            async with database.sessionmaker() as session:
                rows = dict(
                    (await session.execute(select(EMPLOYEES.c.id, EMPLOYEES.c.status))).all()
                )
            return rows == {hired: "active", leaver: "terminated"}

        await eventually(projected)

    customer = await make_committed.customer(name="Projection Check", currency="EUR")
    await make_committed.draft(customer, employee_id=hired)
    refused = await committed_client.post(
        INVOICES,
        json={"customer_id": customer["id"], "lines": [line()], "employee_id": leaver},
        headers=admin,
    )
    assert fields_of(refused) == ["employee_id"]
    assert "has left the company" in refused.text
    # Both were known from the events: the employee service was not asked.
    assert employee_service.asked == []
