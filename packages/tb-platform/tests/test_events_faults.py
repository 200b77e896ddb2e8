"""When things break: a broker down or emptied, a relay that dies mid-batch, a consumer that dies
holding a message, a message nobody can read. Nothing committed is lost; nothing applies twice."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Iterable
from typing import Any

import pytest
from conftest import (
    CONSUMER,
    EventEnv,
    RedisServer,
    eventually,
    free_port,
    redis_transport,
    running,
)
from redis.asyncio import Redis
from sqlalchemy import select, text

from tb_platform.events.consumer import handles
from tb_platform.events.envelope import Envelope
from tb_platform.events.rabbitmq import RabbitMqTransport
from tb_platform.events.redis_streams import RedisStreamsTransport
from tb_platform.events.transport import Delivery, Transport

pytestmark = pytest.mark.asyncio


async def _applied(env: EventEnv, count: int) -> bool:
    return len(await env.effect_ids()) >= count


async def _outbox(env: EventEnv) -> list[Any]:
    outbox = env.tables.outbox
    return list(await env.rows(select(outbox).order_by(outbox.c.id)))


async def test_events_written_while_redis_is_down_all_arrive_once_it_is_back(
    env: EventEnv, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="tb_platform.events")
    late = f"{CONSUMER}.other"  # a second service, whose worker is down during the outage
    async with (
        redis_transport(redis_server.url) as transport,
        running(env.relay(transport), env.consumer(transport)),
    ):
        async with running(env.consumer(transport, name=late)):
            before = [await env.hire(n) for n in (1, 2)]
            await eventually(lambda: _applied(env, 4))

        redis_server.kill()
        # The business goes on: the commits succeed, the events wait in the outbox.
        during = [await env.hire(n) for n in (3, 4, 5)]

        async def relay_is_retrying() -> bool:
            rows = await _outbox(env)
            return rows[2].attempts >= 2 and rows[2].last_error is not None

        await eventually(relay_is_retrying)
        assert [row.published_at is None for row in await _outbox(env)] == [
            False, False, True, True, True,
        ]  # fmt: skip

        redis_server.start()  # same port, empty: no stream, no consumer group

        async def republished() -> bool:
            return all(row.published_at is not None for row in await _outbox(env))

        await eventually(republished, within=10)
        # The late consumer comes back only now, after the relay refilled the new stream:
        # its group is created from the stream's start, so it misses nothing.
        async with running(env.consumer(transport, name=late)):
            await eventually(lambda: _applied(env, 10), within=10)
            await asyncio.sleep(0.3)  # room for a duplicate to show, if there were one

    expected = [envelope.id for envelope in before + during]
    assert await env.effect_ids(f"system:{CONSUMER}") == expected
    assert await env.effect_ids(f"system:{late}") == expected
    created = [r for r in caplog.records if r.message.startswith("created consumer group")]
    assert len(created) == 4  # each group once at the start, once after the restart


async def test_a_consumer_whose_group_vanished_recreates_it_and_carries_on(
    env: EventEnv, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="tb_platform.events")
    async with (
        redis_transport(redis_server.url) as transport,
        running(env.relay(transport), env.consumer(transport)),
    ):
        first = await env.hire(1)
        await eventually(lambda: _applied(env, 1))
        # Redis loses its data without dropping a connection (FLUSHALL; a failover to an
        # empty replica looks the same): the next read answers NOGROUP.
        admin = Redis.from_url(redis_server.url)
        try:
            await admin.flushall()
        finally:
            await admin.aclose()
        second = await env.hire(2)
        await eventually(lambda: _applied(env, 2), within=5)

    assert await env.effect_ids() == [first.id, second.id]
    assert any("vanished" in record.message for record in caplog.records)


async def test_a_relay_that_dies_before_marking_publishes_again_and_the_event_applies_once(
    env: EventEnv, redis: RedisStreamsTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    relay = env.relay(redis)
    consumer = env.consumer(redis)
    original = relay._mark_published
    crashes = [ConnectionResetError("the relay died after publishing, before marking")]

    async def die_once(session: Any, ids: Any) -> None:
        if crashes:
            raise crashes.pop()
        await original(session, ids)

    monkeypatch.setattr(relay, "_mark_published", die_once)
    async with running(relay, consumer):
        envelope = await env.hire(1)

        async def marked() -> bool:
            return (await _outbox(env))[0].published_at is not None

        await eventually(marked)
        await eventually(lambda: _count(consumer.stats.received, 2))

    assert await redis.redis.xlen(redis.stream) == 2  # published twice…
    assert await env.effect_ids() == [envelope.id]  # …applied once
    assert (consumer.stats.applied, consumer.stats.duplicates) == (1, 1)


class FlakyTransport(Transport):
    """The real transport, except that the ``fail_on``-th publish fails once."""

    def __init__(self, inner: Transport, fail_on: int) -> None:
        self.inner = inner
        self.fail_on = fail_on
        self.calls = 0

    async def publish(self, envelope: Envelope) -> None:
        self.calls += 1
        if self.calls == self.fail_on:
            raise ConnectionError("broker hiccup")
        await self.inner.publish(envelope)

    async def declare(self, group: str, types: Iterable[str]) -> None:
        await self.inner.declare(group, types)

    def subscribe(
        self, group: str, consumer: str, types: Iterable[str], *, stop: asyncio.Event | None = None
    ) -> AsyncGenerator[Delivery, None]:
        return self.inner.subscribe(group, consumer, types, stop=stop)

    async def close(self) -> None:
        await self.inner.close()


async def test_a_refused_publish_holds_back_the_later_events_so_none_overtakes_it(
    env: EventEnv, redis: RedisStreamsTransport
) -> None:
    written = [await env.hire(n) for n in range(1, 6)]
    flaky = FlakyTransport(redis, fail_on=3)
    async with running(env.relay(flaky), env.consumer(redis)):
        await eventually(lambda: _applied(env, 5))

    assert await env.effect_ids() == [envelope.id for envelope in written]
    rows = await _outbox(env)
    assert [row.attempts for row in rows] == [0, 0, 1, 0, 0]
    assert rows[2].last_error == "ConnectionError: broker hiccup"


async def test_with_rabbitmq_unreachable_commits_succeed_and_the_relay_backs_off(
    env: EventEnv,
) -> None:
    # The shared RabbitMQ is never stopped: a port nobody listens on is a broker that is down.
    dead = RabbitMqTransport(f"amqp://guest:guest@127.0.0.1:{free_port()}/", connect_timeout=1)
    try:
        async with running(env.relay(dead, retry_base=0.05, retry_cap=0.2)):
            await env.hire(1)
            await env.hire(2)

            async def retried() -> bool:
                return (await _outbox(env))[0].attempts >= 3

            await eventually(retried)
    finally:
        await dead.close()

    first, second = await _outbox(env)
    assert first.published_at is None
    assert first.last_error
    assert first.next_attempt_at > first.created_at
    # Not tried while the first waits: it would overtake it.
    assert (second.published_at, second.attempts) == (None, 0)
    assert await env.scalars(select(env.accounts.c.id)) == [1, 2]


async def test_a_message_a_dead_consumer_held_is_claimed_by_another_of_its_group(
    env: EventEnv,
) -> None:
    async with redis_transport(claim_idle_ms=300) as transport:
        await transport.declare(CONSUMER, ["employee.created"])
        envelope = await env.hire(1)
        await transport.publish(envelope)
        # Another instance took it and died without acknowledging it.
        taken = transport.subscribe(CONSUMER, "instance-that-died", ["employee.created"])
        delivery = await anext(taken)
        await taken.aclose()
        assert Envelope.from_json(delivery.body) == envelope

        async with running(env.consumer(transport, instance="survivor")):
            await eventually(lambda: _applied(env, 1))
        pending = await transport.redis.xpending(transport.stream, CONSUMER)

    assert await env.effect_ids() == [envelope.id]
    assert pending["pending"] == 0


async def test_a_message_nobody_can_read_is_dead_lettered_and_the_next_one_applies(
    env: EventEnv, redis: RedisStreamsTransport
) -> None:
    consumer = env.consumer(redis)
    async with running(consumer):
        await redis.redis.xadd(redis.stream, {"type": "employee.created", "envelope": b"{not json"})
        envelope = await env.hire(1)
        await redis.publish(envelope)
        await eventually(lambda: _applied(env, 1))

    letters = await env.rows(select(env.tables.dead_letters))
    assert [(row.event_id, row.payload, row.attempts) for row in letters] == [
        (None, {"raw": "{not json"}, 1)
    ]
    assert await env.effect_ids() == [envelope.id]


async def _count(value: int, count: int) -> bool:
    return value >= count


async def test_a_database_outage_does_not_use_up_an_events_attempts(
    env: EventEnv, redis: RedisStreamsTransport
) -> None:
    # The handler's connection is ended by the server four times running (as pg_terminate_backend
    # or a restart does), more than the two attempts the consumer gives a failing event.
    cut = 4

    @handles("employee.created")
    async def record_after_outage(uow: Any, event: Envelope) -> None:
        nonlocal cut
        if cut:
            cut -= 1
            await uow.session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        await env.record_effect(uow, event)

    consumer = env.consumer(redis, handlers=[record_after_outage], max_attempts=2)
    async with running(consumer):
        envelope = await env.hire(1)
        await redis.publish(envelope)
        await eventually(lambda: _applied(env, 1))

    assert cut == 0
    assert await env.effect_ids() == [envelope.id]
    assert list(await env.rows(select(env.tables.dead_letters))) == []
    assert consumer.stats.retries >= 4
