"""From commit to effect, on Redis Streams and on RabbitMQ: published after commit, applied once,
retried, dead-lettered, replayed — and fast."""

from __future__ import annotations

import asyncio

import pytest
from conftest import CONSUMER, EventEnv, eventually, running
from sqlalchemy import select

from tb_platform.events.consumer import list_dead_letters
from tb_platform.events.envelope import Envelope
from tb_platform.events.transport import Transport

pytestmark = pytest.mark.asyncio


async def test_the_relay_publishes_committed_events_and_a_consumer_applies_them(
    env: EventEnv, transport: Transport
) -> None:
    consumer = env.consumer(transport)
    async with running(env.relay(transport), consumer):
        written = [await env.hire(n) for n in range(1, 6)]
        with pytest.raises(RuntimeError):
            await env.hire(99, fail=True)  # rolled back: never published

        await eventually(lambda: _applied(env, 5))

    # In the order they were written, each once, by the consumer acting as itself.
    assert await env.effect_ids() == [envelope.id for envelope in written]
    assert await env.scalars(select(env.effects.c.actor).distinct()) == [f"system:{CONSUMER}"]
    outbox = await env.rows(select(env.tables.outbox.c.published_at, env.tables.outbox.c.attempts))
    assert all(row.published_at is not None and row.attempts == 0 for row in outbox)
    inbox = await env.scalars(select(env.tables.inbox.c.event_id))
    assert set(inbox) == {envelope.id for envelope in written}


async def test_the_same_event_delivered_three_times_has_one_effect(
    env: EventEnv, transport: Transport
) -> None:
    consumer = env.consumer(transport)
    envelope = await env.hire(1)
    async with running(consumer):
        for _ in range(3):
            await transport.publish(envelope)
        await eventually(lambda: _counted(consumer.stats.received, 3))

    assert (consumer.stats.applied, consumer.stats.duplicates) == (1, 2)
    assert await env.effect_ids() == [envelope.id]
    assert env.calls == [envelope.id]  # the duplicates stopped at the inbox, before the handler


async def test_an_event_that_keeps_failing_is_dead_lettered_and_replayed_once_fixed(
    env: EventEnv, transport: Transport
) -> None:
    consumer = env.consumer(transport, max_attempts=3)
    env.broken = True
    envelope = await env.hire(1)
    following = await env.hire(2)
    async with running(env.relay(transport), consumer):
        # The bad event does not hold back the next one.
        await eventually(lambda: _dead_lettered(env))
        env.broken = False
        await eventually(lambda: _applied(env, 1))

    assert env.calls.count(envelope.id) == 3
    assert await env.effect_ids() == [following.id]
    async with env.database.sessionmaker() as session:
        [letter] = await list_dead_letters(session, env.tables, consumer=CONSUMER)
    assert (letter.event_id, letter.type, letter.attempts) == (envelope.id, "employee.created", 3)
    assert "the handler is broken" in letter.error
    assert Envelope.model_validate(letter.payload) == envelope

    assert await consumer.replay_dead_letter(letter.id) is True
    assert await env.effect_ids() == [following.id, envelope.id]
    with pytest.raises(ValueError, match="was replayed"):
        await consumer.replay_dead_letter(letter.id)
    async with env.database.sessionmaker() as session:
        assert await list_dead_letters(session, env.tables) == []
        [replayed] = await list_dead_letters(session, env.tables, include_replayed=True)
    assert replayed.replayed_at is not None
    assert await env.effect_ids() == [following.id, envelope.id]


async def test_a_replay_that_still_fails_leaves_the_dead_letter_as_it_was(
    env: EventEnv, transport: Transport
) -> None:
    consumer = env.consumer(transport, max_attempts=1)
    env.broken = True
    async with running(env.relay(transport), consumer):
        await env.hire(1)
        await eventually(lambda: _dead_lettered(env))
    async with env.database.sessionmaker() as session:
        [letter] = await list_dead_letters(session, env.tables)

    with pytest.raises(RuntimeError, match="broken"):
        await consumer.replay_dead_letter(letter.id)
    async with env.database.sessionmaker() as session:
        [still] = await list_dead_letters(session, env.tables)
    assert still.replayed_at is None
    assert await env.effect_ids() == []


async def test_a_commit_wakes_the_relay_without_waiting_for_its_poll(
    env: EventEnv, transport: Transport
) -> None:
    # The relay polls only every 30 s here: an effect within 10 s can only come from the
    # commit's NOTIFY waking it (and the consumer's blocking read returning at once). How fast
    # that is end to end is bench/event_latency.py's business (p99 there), not a unit test's.
    async with running(env.relay(transport, poll_interval=30.0), env.consumer(transport)):
        await asyncio.sleep(0.3)  # both idle: the relay waiting on LISTEN, the consumer blocked
        for n in range(1, 4):
            await env.hire(n)
            await eventually(lambda n=n: _applied(env, n), within=10, every=0.005)  # type: ignore[misc]


async def _applied(env: EventEnv, count: int) -> bool:
    return len(await env.effect_ids()) >= count


async def _counted(value: int, count: int) -> bool:
    return value >= count


async def _dead_lettered(env: EventEnv) -> bool:
    rows = await env.scalars(select(env.tables.dead_letters.c.id))
    return len(rows) >= 1
