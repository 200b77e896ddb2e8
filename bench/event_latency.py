"""Benchmark: an event's trip from commit to its consumer's effect, and a relay's throughput.

    uv run python bench/event_latency.py [--events 1000] [--broker redis|rabbitmq]

In a throw-away database (the same rules as the tests) it makes a schema with the event tables a
service's migration creates, then runs tb-platform's real Relay and Consumer on a real broker
(REDIS_URL / BROKER_URL, default the machine's Redis on 6379 or RabbitMQ on 5672, under names of
its own):

* latency: ``--events`` business changes, each committed in its own unit of work with its event,
  one every few milliseconds; the handler records the time it applied the event. Prints p50, p95,
  p99 and max of (effect time - commit time);
* throughput: ``--events`` events committed at once, then the relay and consumer started; prints
  events per second from the relay's first publish to the consumer's last effect.

Exits non-zero when p99 is 1 s or more (the target: an event reaches its consumer in well under a
second).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import (
    Column,
    DateTime,
    Float,
    MetaData,
    Table,
    Uuid,
    create_engine,
    func,
    insert,
    select,
    text,
)

from tb_platform.db import Database, make_metadata, sync_url
from tb_platform.events import create_event_tables, event_tables
from tb_platform.events.catalog import EmployeeCreated
from tb_platform.events.consumer import Consumer, handles
from tb_platform.events.envelope import Envelope
from tb_platform.events.relay import Relay
from tb_platform.events.transport import Transport
from tb_platform.testing import temporary_database
from tb_platform.uow import Actor, UnitOfWork, unit_of_work

TARGET_P99_SECONDS = 1.0
SCHEMA = "bench_events"


def _effects(metadata: MetaData) -> Table:
    return Table(
        "effects",
        metadata,
        Column("event_id", Uuid, primary_key=True),
        Column("committed_at", Float, nullable=False),  # time.time() at commit
        Column("applied_at", Float, nullable=False),
        Column("created_at", DateTime(timezone=True), server_default=text("now()")),
    )


@contextmanager
def _schema(url: str) -> Iterator[None]:
    engine = create_engine(sync_url(url))
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        create_event_tables(Operations(MigrationContext.configure(connection)), SCHEMA)
        metadata = MetaData(schema=SCHEMA)
        _effects(metadata)
        metadata.create_all(connection)
    engine.dispose()
    yield


def _transport(broker: str, run: str) -> Transport:
    if broker == "rabbitmq":
        from tb_platform.events.rabbitmq import RabbitMqTransport

        url = os.environ.get("BROKER_URL", "amqp://guest:guest@127.0.0.1:5672/")
        return RabbitMqTransport(url, exchange=f"bench-{run}")
    from tb_platform.events.redis_streams import RedisStreamsTransport

    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    return RedisStreamsTransport(url, stream=f"bench-{run}")


async def _measure(url: str, events: int, broker: str) -> tuple[list[float], float]:
    metadata = make_metadata(SCHEMA)
    tables = event_tables(metadata, source="bench")
    effects = _effects(metadata)
    committed: dict[uuid.UUID, float] = {}

    @handles("employee.created")
    async def apply(uow: UnitOfWork, event: Envelope) -> None:
        await uow.session.execute(
            insert(effects).values(
                event_id=event.id, committed_at=committed[event.id], applied_at=time.time()
            )
        )

    async def publish(number: int) -> None:
        async with unit_of_work(database, actor=Actor.system("bench"), outbox=tables) as uow:
            envelope = await uow.publish(
                EmployeeCreated(
                    id=number,
                    first_name="Bench",
                    last_name=str(number),
                    email=f"b{number}@tb-erp.test",
                    status="active",
                )
            )
        committed[envelope.id] = time.time()

    async def count() -> int:
        async with database.engine.connect() as connection:
            total = await connection.scalar(select(func.count()).select_from(effects))
            return int(total or 0)

    async def until(total: int, within: float) -> None:
        deadline = time.monotonic() + within
        while await count() < total:
            if time.monotonic() > deadline:
                raise TimeoutError(f"only {await count()} of {total} events arrived")
            await asyncio.sleep(0.01)

    database = Database.connect(url, pool_size=8, max_overflow=4)
    run = uuid.uuid4().hex[:10]
    transport = _transport(broker, run)
    consumer = Consumer(f"bench-{run}", transport, database, [apply], tables=tables)
    relay = Relay(database, transport, tables)
    try:
        await consumer.declare()
        stop = asyncio.Event()
        async with asyncio.TaskGroup() as group:
            group.create_task(relay.run(stop))
            group.create_task(consumer.run(stop))
            await asyncio.sleep(0.5)  # both are listening
            for number in range(1, events + 1):
                await publish(number)
                await asyncio.sleep(0.005)
            await until(events, within=60)

            async with database.engine.connect() as connection:
                rows = await connection.execute(
                    select(effects.c.applied_at - effects.c.committed_at)
                )
                latencies = sorted(float(row[0]) for row in rows)
            stop.set()

        # Throughput: a backlog of events committed while nothing runs, then drained.
        for number in range(events + 1, 2 * events + 1):
            await publish(number)
        stop = asyncio.Event()
        started = time.perf_counter()
        async with asyncio.TaskGroup() as group:
            group.create_task(relay.run(stop))
            group.create_task(consumer.run(stop))
            await until(2 * events, within=120)
            elapsed = time.perf_counter() - started
            stop.set()
        return latencies, events / elapsed
    finally:
        await transport.close()
        await database.dispose()


def _percentile(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, round(share * (len(values) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--broker", choices=("redis", "rabbitmq"), default="redis")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with temporary_database() as url, _schema(url):
        latencies, per_second = asyncio.run(_measure(url, args.events, args.broker))
    ms: dict[str, Any] = {
        "p50": _percentile(latencies, 0.50) * 1000,
        "p95": _percentile(latencies, 0.95) * 1000,
        "p99": _percentile(latencies, 0.99) * 1000,
        "max": latencies[-1] * 1000,
        "mean": statistics.fmean(latencies) * 1000,
    }
    print(f"broker:                 {args.broker}")
    print(f"events:                 {len(latencies)}")
    for name, value in ms.items():
        print(f"commit -> effect {name:<5}  {value:8.1f} ms")
    print(f"relay + consumer:       {per_second:8.0f} events/s (a backlog of {args.events})")
    ok = ms["p99"] < TARGET_P99_SECONDS * 1000
    print("result:", "ok" if ok else "REGRESSION")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
