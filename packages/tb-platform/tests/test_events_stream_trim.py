"""The Redis stream is trimmed by what the consumer groups are done with, never by a length that
would drop what a slow group has still to read (the old MAXLEN 100 000: an import of 100 k assets
while one worker was down lost that worker's events)."""

from __future__ import annotations

import uuid

import pytest
from conftest import redis_transport
from redis.asyncio import Redis

from tb_platform.events.redis_streams import RedisStreamsTransport
from tb_platform.events.transport import Outgoing

pytestmark = pytest.mark.asyncio

EVENTS = 1000  # several of Redis's stream nodes (100 entries each): trimming is by whole nodes


def _order(entry_id: bytes) -> tuple[int, int]:
    """A stream id as it orders (``b"…-72"`` comes before ``b"…-100"``, which bytes would not say)."""
    ms, seq = entry_id.split(b"-")
    return int(ms), int(seq)


async def _publish(transport: RedisStreamsTransport, count: int) -> list[tuple[int, int]]:
    events = [Outgoing(str(uuid.uuid4()), "employee.created", b"{}") for _ in range(count)]
    assert await transport.publish_many(events) == (count, None)
    return [_order(entry_id) for entry_id, _ in await transport.redis.xrange(transport.stream)]


async def _read(transport: RedisStreamsTransport, group: str, count: int, *, ack: int) -> None:
    """Group ``group`` reads ``count`` new entries and acknowledges the first ``ack`` of them."""
    reply = await transport.redis.xreadgroup(group, "c1", {transport.stream: ">"}, count=count)
    ids = [entry_id for entry_id, _ in reply[0][1]]
    assert len(ids) == count
    if ack:
        await transport.redis.xack(transport.stream, group, *ids[:ack])


async def _first_and_length(redis: Redis, stream: str) -> tuple[tuple[int, int], int]:
    [(first, _)] = await redis.xrange(stream, count=1)
    return _order(first), int(await redis.xlen(stream))


async def test_what_a_slow_group_has_not_read_stays_and_what_all_are_done_with_goes() -> None:
    async with redis_transport(keep_seconds=0, trim_every=3600) as transport:
        for group in ("fast", "slow"):
            await transport.ensure_group(group)
        ids = await _publish(transport, EVENTS)
        await _read(transport, "fast", EVENTS, ack=EVENTS)
        await _read(transport, "slow", 500, ack=500)

        dropped = await transport.trim()

        first, length = await _first_and_length(transport.redis, transport.stream)
        assert first <= ids[500]  # the slow group's first unread entry is still there
        assert length == EVENTS - dropped
        assert 0 < dropped <= 500  # read by both: dropped, in whole nodes


async def test_an_entry_read_but_not_acknowledged_is_kept() -> None:
    async with redis_transport(keep_seconds=0, trim_every=3600) as transport:
        await transport.ensure_group("only")
        ids = await _publish(transport, EVENTS)
        await _read(transport, "only", 600, ack=200)  # 400 pending: a consumer died with them

        dropped = await transport.trim()

        first, _ = await _first_and_length(transport.redis, transport.stream)
        assert first <= ids[200]
        assert dropped <= 200


async def test_a_group_that_has_read_nothing_keeps_everything() -> None:
    async with redis_transport(keep_seconds=0, trim_every=3600) as transport:
        await transport.ensure_group("busy")
        await transport.ensure_group("down")
        await _publish(transport, EVENTS)
        await _read(transport, "busy", EVENTS, ack=EVENTS)

        assert await transport.trim() == 0
        assert await transport.redis.xlen(transport.stream) == EVENTS


async def test_recent_entries_are_kept_for_a_group_created_later() -> None:
    async with redis_transport(keep_seconds=3600, trim_every=3600) as transport:
        await transport.ensure_group("early")
        await _publish(transport, EVENTS)
        await _read(transport, "early", EVENTS, ack=EVENTS)

        assert await transport.trim() == 0
        await transport.ensure_group("late")  # reads from the start of the stream
        await _read(transport, "late", EVENTS, ack=0)


async def test_without_any_group_nothing_is_trimmed() -> None:
    async with redis_transport(keep_seconds=0, trim_every=3600) as transport:
        await _publish(transport, EVENTS)
        assert await transport.trim() == 0
        assert await transport.redis.xlen(transport.stream) == EVENTS


async def test_publishing_trims_what_every_group_is_done_with() -> None:
    async with redis_transport(keep_seconds=0, trim_every=0) as transport:
        await transport.ensure_group("only")
        await _publish(transport, EVENTS)
        await _read(transport, "only", EVENTS, ack=EVENTS)

        await _publish(transport, 1)  # the publish trims what the group is done with

        assert await transport.redis.xlen(transport.stream) < EVENTS


async def test_a_trim_that_fails_never_fails_the_publish(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # The events are on the stream: reporting the batch as failed would have the relay publish
    # it again (and wait its backoff) for a trim that can simply wait for the next time.
    async with redis_transport(keep_seconds=0, trim_every=0) as transport:

        async def broken_trim() -> int:
            raise AttributeError("a bug in the trim")

        monkeypatch.setattr(transport, "trim", broken_trim)
        events = [Outgoing(str(uuid.uuid4()), "employee.created", b"{}") for _ in range(3)]

        assert await transport.publish_many(events) == (3, None)
        assert await transport.redis.xlen(transport.stream) == 3
        assert "could not trim" in caplog.text


async def test_pending_entries_acknowledged_while_trimming_are_no_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # XINFO GROUPS said the group had pending entries; by the time XPENDING answers, the
    # consumer has acknowledged them all (XPENDING's oldest is then nil).
    async with redis_transport(keep_seconds=0, trim_every=3600) as transport:
        await transport.ensure_group("only")
        ids = await _publish(transport, EVENTS)
        await _read(transport, "only", 600, ack=200)
        real_xpending = transport.redis.xpending

        async def all_acknowledged_meanwhile(stream: str, group: str) -> dict[str, object]:
            await real_xpending(stream, group)
            return {"pending": 0, "min": None, "max": None, "consumers": []}

        monkeypatch.setattr(transport.redis, "xpending", all_acknowledged_meanwhile)

        dropped = await transport.trim()

        first, _ = await _first_and_length(transport.redis, transport.stream)
        assert first <= ids[600]  # from the first entry it has not read
        assert 0 < dropped <= 600
