"""The relay publishes a pass's due rows as one batch (Redis: one pipelined round trip), and a
batch the broker takes only in part leaves the rest, in order, for the next pass."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from typing import Any

import pytest
from conftest import REDIS_URL, EventEnv
from redis.asyncio import Redis
from redis.exceptions import ResponseError
from sqlalchemy import insert, select

from tb_platform.events.envelope import Envelope
from tb_platform.events.redis_streams import RedisStreamsTransport
from tb_platform.events.transport import Outgoing, Transport

pytestmark = pytest.mark.asyncio


async def _stream_entries(transport: RedisStreamsTransport) -> list[dict[bytes, bytes]]:
    client = Redis.from_url(REDIS_URL)
    try:
        entries = await client.xrange(transport.stream)
    finally:
        await client.aclose()
    return [fields for _, fields in entries]


async def _stream_ids(transport: RedisStreamsTransport) -> list[str]:
    return [fields[b"id"].decode() for fields in await _stream_entries(transport)]


async def test_a_batch_goes_to_the_stream_whole_and_in_order(
    env: EventEnv, redis: RedisStreamsTransport
) -> None:
    envelopes = [await env.hire(n) for n in range(1, 8)]

    assert await redis.publish_many([Outgoing.of(e) for e in envelopes]) == (7, None)

    assert await _stream_ids(redis) == [str(e.id) for e in envelopes]


async def test_a_batch_the_broker_refuses_is_reported_not_raised(
    env: EventEnv, redis: RedisStreamsTransport
) -> None:
    envelope = await env.hire(1)
    client = Redis.from_url(REDIS_URL)
    try:
        await client.set(redis.stream, "not a stream")  # every XADD answers WRONGTYPE
        sent, error = await redis.publish_many([Outgoing.of(envelope)] * 2)
    finally:
        await client.delete(redis.stream)
        await client.aclose()
    assert sent == 0
    assert isinstance(error, ResponseError)


class _RefusesOne(Transport):
    """The real Redis transport, except that the broker refuses one event (by id) while
    ``refusing`` is set: a batch it can only take in part."""

    def __init__(self, inner: RedisStreamsTransport, refused: Envelope) -> None:
        self.inner = inner
        self.refused = refused.id
        self.refusing = True

    async def publish(self, envelope: Envelope) -> None:
        if self.refusing and envelope.id == self.refused:
            raise ResponseError("OOM command not allowed when used memory > 'maxmemory'")
        await self.inner.publish(envelope)

    async def declare(self, group: str, types: Iterable[str]) -> None:
        await self.inner.declare(group, types)

    def subscribe(self, group: str, consumer: str, types: Iterable[str], **options: Any) -> Any:
        return self.inner.subscribe(group, consumer, types, **options)

    async def close(self) -> None:
        await self.inner.close()


async def test_a_batch_taken_in_part_publishes_the_rest_later_in_order(
    env: EventEnv, redis: RedisStreamsTransport
) -> None:
    envelopes = [await env.hire(n) for n in range(1, 6)]
    broker = _RefusesOne(redis, envelopes[2])
    relay = env.relay(broker, retry_base=0.0, retry_cap=0.0)
    outbox = env.tables.outbox

    assert await relay.publish_pending() == 2
    rows = await env.rows(select(outbox).order_by(outbox.c.id))
    assert [row.published_at is not None for row in rows] == [True, True, False, False, False]
    assert [row.attempts for row in rows] == [0, 0, 1, 0, 0]
    assert "OOM" in (rows[2].last_error or "")
    assert await _stream_ids(redis) == [str(e.id) for e in envelopes[:2]]

    broker.refusing = False
    assert await relay.publish_pending() == 3
    assert await _stream_ids(redis) == [str(e.id) for e in envelopes]


async def test_the_relay_sends_each_stored_document_as_it_is_without_parsing_it(
    env: EventEnv, redis: RedisStreamsTransport
) -> None:
    # A row that is no envelope (only raw SQL could write one) goes out in its place, rather
    # than stopping the outbox: the consumers dead-letter what they cannot read.
    first = await env.hire(1)
    stray = uuid.uuid4()
    async with env.database.sessionmaker() as session, session.begin():
        await session.execute(
            insert(env.tables.outbox).values(
                event_id=stray, type="employee.created", subject="7", payload={"not": "an envelope"}
            )
        )
    last = await env.hire(2)

    assert await env.relay(redis).publish_pending() == 3

    entries = await _stream_entries(redis)
    assert [fields[b"id"].decode() for fields in entries] == [
        str(first.id),
        str(stray),
        str(last.id),
    ]
    assert {fields[b"type"] for fields in entries} == {b"employee.created"}
    assert Envelope.from_json(entries[0][b"envelope"]) == first
    assert json.loads(entries[1][b"envelope"]) == {"not": "an envelope"}
    assert Envelope.from_json(entries[2][b"envelope"]) == last
