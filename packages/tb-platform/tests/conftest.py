"""Fixtures of the event tests: a schema per test in the run's database, and real brokers.

PostgreSQL comes from the tb_platform plugin's ``database_url`` (a database with a random name,
dropped after the run). Each test gets its own schema with the event tables (created by the same
``create_event_tables`` a service's migration calls) and two business tables. Redis and RabbitMQ
are the machine's shared servers, used under names unique to the test; a test that needs to kill
a broker starts its own ``redis-server``.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
import pytest_asyncio
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import Column, Integer, MetaData, String, Table, Uuid, insert, select, text
from sqlalchemy.engine import Connection

from tb_platform.db import Database, make_metadata
from tb_platform.events import EventTables, create_event_tables, event_tables
from tb_platform.events.catalog import EmployeeCreated
from tb_platform.events.consumer import Consumer, Handler, handles
from tb_platform.events.envelope import Envelope
from tb_platform.events.rabbitmq import RabbitMqTransport
from tb_platform.events.redis_streams import RedisStreamsTransport
from tb_platform.events.relay import Relay
from tb_platform.events.transport import Transport
from tb_platform.uow import Actor, unit_of_work

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
RABBITMQ_URL = os.environ.get("TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
CONSUMER = "test.applier"


async def eventually(
    check: Callable[[], Awaitable[bool]], *, within: float = 20.0, every: float = 0.01
) -> float:
    """Wait until ``check()`` is true; returns the seconds it took (fails after ``within`` seconds)."""
    started = time.perf_counter()
    while True:
        if await check():
            return time.perf_counter() - started
        if time.perf_counter() - started > within:
            pytest.fail(f"condition not met within {within}s")
        await asyncio.sleep(every)


@dataclass
class EventEnv:
    """One test's schema: event tables, an ``accounts`` business table and an ``effects`` table
    that the test handler writes to (one row per application of an event)."""

    database: Database
    schema: str
    tables: EventTables
    accounts: Table
    effects: Table
    broken: bool = False
    calls: list[uuid.UUID] = field(default_factory=list)

    def handler(self, *types: str) -> Handler:
        """A handler that records each event it applies, or raises while ``broken``."""

        @handles(*(types or ("employee.created",)))
        async def record(uow: Any, event: Envelope) -> None:
            self.calls.append(event.id)
            if self.broken:
                raise RuntimeError("the handler is broken")
            await self.record_effect(uow, event)

        return record

    async def record_effect(self, uow: Any, event: Envelope) -> None:
        """The test handlers' effect: one ``effects`` row for ``event``, in ``uow``."""
        await uow.session.execute(
            insert(self.effects).values(
                event_id=event.id, type=event.type, subject=event.subject, actor=uow.actor.sub
            )
        )

    def consumer(
        self,
        transport: Transport,
        name: str = CONSUMER,
        handlers: Sequence[Handler] | None = None,
        **options: Any,
    ) -> Consumer:
        """A consumer of this schema's events with fast retries; by default its one handler is
        :meth:`handler`'s."""
        options.setdefault("retry_base", 0.01)
        options.setdefault("retry_cap", 0.05)
        return Consumer(
            name,
            transport,
            self.database,
            handlers or [self.handler()],
            tables=self.tables,
            **options,
        )

    def relay(self, transport: Transport, **options: Any) -> Relay:
        options.setdefault("retry_base", 0.05)
        options.setdefault("retry_cap", 0.5)
        return Relay(self.database, transport, self.tables, **options)

    async def hire(self, employee_id: int, *, fail: bool = False) -> Envelope:
        """A business change and its event in one unit of work (raising after both if ``fail``)."""
        async with unit_of_work(
            self.database, actor=Actor.system("tests"), outbox=self.tables
        ) as uow:
            await uow.session.execute(
                insert(self.accounts).values(id=employee_id, name=f"employee {employee_id}")
            )
            envelope = await uow.publish(
                EmployeeCreated(
                    id=employee_id,
                    first_name="Ada",
                    last_name=f"Number{employee_id}",
                    email=f"e{employee_id}@tb-erp.test",
                    status="active",
                )
            )
            if fail:
                raise RuntimeError("the operation failed after writing")
        return envelope

    async def scalars(self, query: Any) -> list[Any]:
        async with self.database.sessionmaker() as session:
            return list((await session.scalars(query)).all())

    async def rows(self, query: Any) -> Sequence[Any]:
        async with self.database.sessionmaker() as session:
            return (await session.execute(query)).all()

    async def effect_ids(self, actor: str | None = None) -> list[uuid.UUID]:
        """The events applied, in the order they were, by every consumer or by ``actor``."""
        query = select(self.effects.c.event_id).order_by(self.effects.c.id)
        if actor is not None:
            query = query.where(self.effects.c.actor == actor)
        return await self.scalars(query)


def _business_tables(metadata: MetaData) -> tuple[Table, Table]:
    accounts = Table(
        "accounts",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("name", String(100), nullable=False),
    )
    effects = Table(
        "effects",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("event_id", Uuid, nullable=False),
        Column("type", String(100), nullable=False),
        Column("subject", String(200), nullable=False),
        Column("actor", String(200), nullable=False),
    )
    return accounts, effects


def migrate_event_tables(connection: Connection, schema: str) -> None:
    """What a service's Alembic migration does, on a plain connection."""
    create_event_tables(Operations(MigrationContext.configure(connection)), schema)


@pytest_asyncio.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database.connect(database_url, pool_size=5, max_overflow=5)
    yield db
    await db.dispose()


@pytest_asyncio.fixture
async def env(database: Database) -> AsyncIterator[EventEnv]:
    schema = f"ev_{secrets.token_hex(5)}"
    metadata = make_metadata(schema)
    tables = event_tables(metadata, source="test-service")
    accounts, effects = _business_tables(metadata)
    async with database.engine.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        await connection.run_sync(migrate_event_tables, schema)
        await connection.run_sync(
            lambda sync: metadata.create_all(sync, tables=[accounts, effects])
        )
    yield EventEnv(database, schema, tables, accounts, effects)
    async with database.engine.begin() as connection:
        await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@asynccontextmanager
async def redis_transport(
    url: str = REDIS_URL, **options: Any
) -> AsyncIterator[RedisStreamsTransport]:
    """A Redis Streams transport on a stream of its own, deleted afterwards."""
    options.setdefault("claim_idle_ms", 2000)
    options.setdefault("reconnect_base", 0.05)
    options.setdefault("reconnect_cap", 0.3)
    transport = RedisStreamsTransport(url, stream=f"tb-test.{secrets.token_hex(6)}", **options)
    try:
        yield transport
    finally:
        try:
            await transport.delete_stream()
        finally:
            await transport.close()


@asynccontextmanager
async def rabbitmq_transport(
    url: str = RABBITMQ_URL, **options: Any
) -> AsyncIterator[RabbitMqTransport]:
    """A RabbitMQ transport on an exchange of its own; exchange and queues deleted afterwards."""
    options.setdefault("reconnect_base", 0.05)
    options.setdefault("reconnect_cap", 0.3)
    transport = RabbitMqTransport(url, exchange=f"tb-test.{secrets.token_hex(6)}", **options)
    try:
        yield transport
    finally:
        try:
            await transport.delete(CONSUMER, f"{CONSUMER}.other")
        finally:
            await transport.close()


@pytest_asyncio.fixture(params=["redis", "rabbitmq"])
async def transport(request: pytest.FixtureRequest) -> AsyncIterator[Transport]:
    """Each broker in turn, as the services would get it from ``transport_from_settings``."""
    factory = redis_transport if request.param == "redis" else rabbitmq_transport
    async with factory() as chosen:
        yield chosen


@pytest_asyncio.fixture
async def redis() -> AsyncIterator[RedisStreamsTransport]:
    async with redis_transport() as chosen:
        yield chosen


@asynccontextmanager
async def running(*parts: Relay | Consumer) -> AsyncIterator[asyncio.Event]:
    """Run relays and consumers in the background for the block; stop them cleanly after."""
    for part in parts:
        if isinstance(part, Consumer):
            await part.declare()
    stop = asyncio.Event()
    tasks = [asyncio.create_task(part.run(stop)) for part in parts]
    try:
        yield stop
    finally:
        stop.set()
        done, pending = await asyncio.wait(tasks, timeout=5)
        for task in pending:
            task.cancel()
        assert not pending, "a relay or consumer did not stop within 5 s"
        for task in done:
            task.result()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class RedisServer:
    """A redis-server of the test's own, without persistence, that the test may kill."""

    def __init__(self) -> None:
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            pytest.fail("redis-server is not installed (apt-get install redis-server)")
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert self.binary is not None
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.02)
        pytest.fail(f"redis-server did not start on port {self.port}")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=5)
            self.process = None


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.kill()
