"""A consumer applies the deliveries one read of the stream brings in ONE transaction (inbox
rows and effects, in order), and a batch with a bad event in it still applies every good event
once, in order, while the bad one goes its usual way (retries, then the dead letters)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import EventEnv, eventually, running
from sqlalchemy import select

from tb_platform.events.consumer import handles, handles_many
from tb_platform.events.envelope import Envelope
from tb_platform.events.redis_streams import RedisStreamsTransport

pytestmark = pytest.mark.asyncio


async def _publish_all(env: EventEnv, redis: RedisStreamsTransport, count: int) -> list[Envelope]:
    """``count`` events, published at once before any consumer reads: reads then bring many."""
    envelopes = [await env.hire(n) for n in range(1, count + 1)]
    assert await env.relay(redis).publish_pending() == count
    return envelopes


async def test_deliveries_read_together_are_applied_in_one_transaction_each_once(
    env: EventEnv, redis: RedisStreamsTransport
) -> None:
    envelopes = await _publish_all(env, redis, 45)
    consumer = env.consumer(redis)

    async with running(consumer):
        await eventually(lambda: _applied(env, 45))

    assert await env.effect_ids() == [e.id for e in envelopes]
    assert consumer.stats.applied == 45
    assert 1 <= consumer.stats.batches <= 5  # a few transactions (one per read), not 45
    inbox = env.tables.inbox
    assert len(await env.scalars(select(inbox.c.event_id))) == 45


async def test_a_bad_event_in_a_batch_leaves_the_good_ones_applied_once_in_order(
    env: EventEnv, redis: RedisStreamsTransport
) -> None:
    envelopes = await _publish_all(env, redis, 12)
    bad = envelopes[5].id

    @handles("employee.created")
    async def picky(uow: Any, event: Envelope) -> None:
        if event.id == bad:
            raise RuntimeError("this one cannot be applied")
        await env.record_effect(uow, event)

    consumer = env.consumer(redis, handlers=[picky], max_attempts=2, retry_cap=0.02)
    async with running(consumer):
        await eventually(lambda: _dead_lettered(env, 1))
        await eventually(lambda: _applied(env, 11))

    assert await env.effect_ids() == [e.id for e in envelopes if e.id != bad]
    letters = await env.rows(select(env.tables.dead_letters))
    assert [row.event_id for row in letters] == [bad]
    assert consumer.stats.applied == 11


async def test_a_many_handler_gets_a_batchs_events_at_once_and_a_retry_as_one(
    env: EventEnv, redis: RedisStreamsTransport
) -> None:
    envelopes = await _publish_all(env, redis, 30)
    calls: list[list[Any]] = []
    failing = {envelopes[20].id}  # fails once: its batch is rolled back, then applied one by one

    @handles_many("employee.created")
    async def record_all(uow: Any, events: Any) -> None:
        calls.append([event.id for event in events])
        for event in events:
            if event.id in failing:
                failing.discard(event.id)
                raise RuntimeError("a passing failure")
            await env.record_effect(uow, event)

    consumer = env.consumer(redis, handlers=[record_all])
    async with running(consumer):
        await eventually(lambda: _applied(env, 30))

    assert await env.effect_ids() == [e.id for e in envelopes]  # each once, in order
    assert consumer.stats.applied == 30
    assert any(len(call) > 1 for call in calls), calls  # a batch's events in one call
    # The failed batch was retried delivery by delivery: lists of one.
    assert [envelopes[20].id] in calls


async def _applied(env: EventEnv, count: int) -> bool:
    return len(await env.effect_ids()) >= count


async def _dead_lettered(env: EventEnv, count: int) -> bool:
    return len(await env.rows(select(env.tables.dead_letters))) >= count
