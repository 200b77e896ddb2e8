"""Redis Streams transport: one stream, one consumer group per consuming service.

Uses only Redis 6.2 commands (XADD, XGROUP CREATE … MKSTREAM, XREADGROUP, XACK, XAUTOCLAIM) so
that the embedded 6.2 server and Debian's 7.x behave alike.

Redis keeps the stream in memory; a restart without persistence loses it, consumer groups
included. A consumer that finds its group gone (NOGROUP) creates it again from the start of the
(new) stream, so events the relay publishes after the restart all reach it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, Iterable, Sequence
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .envelope import Envelope
from .transport import EXCHANGE, Delivery, Outgoing, Transport, backoff_delay, sleep_unless

log = logging.getLogger("tb_platform.events.redis")


class RedisDelivery(Delivery):
    """A stream entry read through a consumer group; XACK when done."""

    def __init__(
        self,
        transport: RedisStreamsTransport,
        group: str,
        message_id: bytes,
        fields: dict[bytes, bytes],
    ) -> None:
        self._transport = transport
        self._group = group
        self.message_id = message_id
        self.type = fields.get(b"type", b"").decode()
        self.body = fields.get(b"envelope", b"")

    async def ack(self) -> None:
        await self._transport._ack(self._group, self.message_id)

    async def nack(self) -> None:
        # Left pending: this consumer reads its own pending entries again when it resubscribes,
        # and any consumer of the group claims them once they have been idle long enough.
        return None


class RedisStreamsTransport(Transport):
    """Events on the Redis stream ``stream`` (``tb-erp.events``), consumed through groups.

    ``claim_idle_ms``: a message delivered to a consumer that then died is claimed by another
    after being unacknowledged for that long.

    Trimming never drops what a group has still to read: at most every ``trim_every`` seconds
    the publisher drops the entries every consumer group has read and acknowledged that are
    older than ``keep_seconds`` (``XTRIM MINID``: stream ids are times), so a group created a
    little later (a worker's first start) still reads from the beginning. ``maxlen`` is only a
    safety bound (approximate): a group nobody reads any more holds the stream up to it, and
    a warning names the group once the stream is past half of it.
    """

    # One pipelined round trip per relay pass: 5,000 XADDs (a few MB) take tens of milliseconds,
    # and fewer passes mean fewer walks of the outbox's unpublished-rows index (see Relay).
    relay_batch = 5_000

    def __init__(
        self,
        url: str,
        *,
        stream: str = EXCHANGE,
        maxlen: int = 500_000,
        keep_seconds: float = 3600.0,
        trim_every: float = 1.0,
        # Entries per read: a consumer applies one read's in one transaction (up to its own
        # batch_size), and a group reading past other services' events acks them per read.
        # During a burst each read is a transaction and a few round trips to PostgreSQL and
        # Redis: with 100 per read, the 100 k events of an import cost the dashboard's worker
        # more in round trips than in its own work.
        batch_size: int = 500,
        block_ms: int = 500,
        claim_idle_ms: int = 30_000,
        reconnect_base: float = 0.1,
        reconnect_cap: float = 5.0,
        client: Redis | None = None,
    ) -> None:
        self.stream = stream
        self.maxlen = maxlen
        self.keep_seconds = keep_seconds
        self.trim_every = trim_every
        self._next_trim = 0.0
        self.batch_size = batch_size
        self.block_ms = block_ms
        self.claim_idle_ms = claim_idle_ms
        self.reconnect_base = reconnect_base
        self.reconnect_cap = reconnect_cap
        # One immediate retry: a pooled connection broken by a Redis restart is replaced at once,
        # but a Redis that is down fails fast, so the relay records it and backs off itself.
        self.redis: Redis = client or Redis.from_url(
            url,
            socket_connect_timeout=2,
            socket_timeout=max(5.0, block_ms / 1000 + 2),
            retry=Retry(NoBackoff(), 1),
            health_check_interval=10,
        )

    async def publish(self, envelope: Envelope) -> None:
        """XADD the envelope; Redis's reply is the confirmation."""
        await self.redis.xadd(
            self.stream, _fields(Outgoing.of(envelope)), maxlen=self.maxlen, approximate=True
        )
        await self._trim_if_due()

    async def publish_many(self, events: Sequence[Outgoing]) -> tuple[int, Exception | None]:
        """One XADD per event, pipelined: one round trip for the batch (the relay's pass of
        hundreds), in order. Each reply confirms its entry; the count stops at the first error."""
        if not events:
            return 0, None
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for event in events:
                    pipe.xadd(self.stream, _fields(event), maxlen=self.maxlen, approximate=True)
                replies = await pipe.execute(raise_on_error=False)
        except Exception as exc:  # no reply at all (connection lost): none is known sent
            return 0, exc
        for index, reply in enumerate(replies):
            if isinstance(reply, Exception):
                return index, reply
        await self._trim_if_due()
        return len(events), None

    async def _trim_if_due(self) -> None:
        now = time.monotonic()
        if now < self._next_trim:
            return
        self._next_trim = now + self.trim_every
        try:
            await self.trim()
        except Exception as exc:  # the events are out: a failed trim waits for the next one
            log.warning("could not trim %s: %s", self.stream, exc)

    async def trim(self) -> int:
        """Drop the entries that every consumer group is done with (read and acknowledged) and
        that are older than ``keep_seconds``; how many went. Without any group, nothing goes."""
        groups = await self.redis.xinfo_groups(self.stream)
        if not groups:
            return 0
        oldest_kept = (int((time.time() - self.keep_seconds) * 1000), 0)
        needed: list[tuple[tuple[int, int], str]] = []
        for group in groups:
            name = _text(group["name"])
            ms, seq = _stream_id(group["last-delivered-id"])
            first = (ms, seq + 1)  # the first it has not read
            # The oldest it read and has not acknowledged (the consumer may have acknowledged
            # them all since XINFO answered: then there is none).
            oldest_pending = (
                (await self.redis.xpending(self.stream, name)).get("min")
                if group["pending"]
                else None
            )
            if oldest_pending is not None:
                first = min(first, _stream_id(oldest_pending))
            needed.append((first, name))
        (ms, seq), slowest = min(needed)
        if (ms, seq) > oldest_kept:
            ms, seq = oldest_kept
        length = int(await self.redis.xlen(self.stream))
        if length > self.maxlen // 2:
            log.warning(
                "stream %s holds %s entries (the bound is %s, past which the oldest are "
                "dropped): consumer group %s is the furthest behind",
                self.stream,
                length,
                self.maxlen,
                slowest,
            )
        return int(await self.redis.xtrim(self.stream, minid=f"{ms}-{seq}", approximate=True))

    async def ensure_group(self, group: str) -> None:
        """Create ``group`` (and the stream) if missing, reading from the start of the stream.

        From the start, not from ``$``: after Redis lost its data the relay may have published
        again before this consumer noticed, and those events must not be skipped.
        """
        try:
            await self.redis.xgroup_create(self.stream, group, id="0", mkstream=True)
            log.info("created consumer group %s on %s", group, self.stream)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def declare(self, group: str, types: Iterable[str]) -> None:
        """Create the group; the stream holds every type, so ``types`` need not be named."""
        await self.ensure_group(group)

    async def _ack(self, group: str, *message_ids: bytes) -> None:
        if message_ids:
            await self.redis.xack(self.stream, group, *message_ids)

    async def ack_many(self, deliveries: Sequence[Delivery]) -> None:
        """One XACK per consumer group for all of ``deliveries`` (a consumer's batch)."""
        by_group: dict[str, list[bytes]] = {}
        others: list[Delivery] = []
        for delivery in deliveries:
            if isinstance(delivery, RedisDelivery) and delivery._transport is self:
                by_group.setdefault(delivery._group, []).append(delivery.message_id)
            else:
                others.append(delivery)
        for group, message_ids in by_group.items():
            await self._ack(group, *message_ids)
        for delivery in others:
            await delivery.ack()

    async def subscribe(
        self,
        group: str,
        consumer: str,
        types: Iterable[str],
        *,
        stop: asyncio.Event | None = None,
    ) -> AsyncGenerator[Delivery, None]:
        # As the entries carry it: a group skips other services' events (most of a burst for
        # most groups) without decoding or wrapping them.
        wanted = frozenset(event_type.encode() for event_type in types)
        stop = stop or asyncio.Event()
        group_ready = False
        # First what this consumer name had been given and not acknowledged (read from its
        # pending list, from this cursor on), then new messages.
        pending_from: bytes | None = b"0"
        next_claim = time.monotonic() + self.claim_idle_ms / 2000
        failures = 0
        while not stop.is_set():
            try:
                if not group_ready:
                    await self.ensure_group(group)
                    group_ready = True
                claim = pending_from is None and time.monotonic() >= next_claim
                if claim:
                    next_claim = time.monotonic() + self.claim_idle_ms / 2000
                entries = await self._read(group, consumer, pending_from, claim)
                if pending_from is not None:
                    pending_from = entries[-1][0] if entries else None
                failures = 0
            except ResponseError as exc:
                # NOGROUP on the next read; a read blocked at that moment is woken with
                # "UNBLOCKED the stream key no longer exists" (Redis 7).
                if not any(sign in str(exc) for sign in ("NOGROUP", "no longer exists")):
                    raise
                log.warning(
                    "consumer group %s vanished from %s (Redis restarted?); recreating",
                    group,
                    self.stream,
                )
                group_ready = False
                continue
            except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
                failures += 1
                delay = backoff_delay(failures, base=self.reconnect_base, cap=self.reconnect_cap)
                log.warning("Redis unavailable for %s (%s); retrying in %.2fs", group, exc, delay)
                group_ready = False
                await sleep_unless(stop, delay)
                continue
            batch: list[RedisDelivery] = []
            # Entries with nothing for this group (a pending entry trimmed from the stream, or a
            # type it does not handle): acknowledged together, one XACK per read.
            passed: list[bytes] = []
            for message_id, fields in entries:
                if not fields or fields.get(b"type") not in wanted:
                    passed.append(message_id)
                    continue
                batch.append(RedisDelivery(self, group, message_id, fields))
            await self._ack(group, *passed)
            for index, delivery in enumerate(batch):
                delivery.more_follow = index < len(batch) - 1  # read together: one transaction
                yield delivery
                if stop.is_set():
                    return

    async def _read(
        self, group: str, consumer: str, pending_from: bytes | None, claim: bool
    ) -> list[tuple[bytes, dict[bytes, bytes] | None]]:
        if pending_from is not None:
            # Reading with an id (not ">") answers the entries of this consumer's pending list
            # whose ids are greater than it: "0" from the beginning, then from the last one seen.
            return _entries(
                await self.redis.xreadgroup(
                    group, consumer, {self.stream: pending_from}, count=self.batch_size
                )
            )
        if claim:
            # Messages another consumer of the group took and never acknowledged (it crashed).
            reply: Any = await self.redis.xautoclaim(
                self.stream,
                group,
                consumer,
                self.claim_idle_ms,
                start_id="0-0",
                count=self.batch_size,
            )
            claimed = [(mid, f) for mid, f in reply[1] if mid is not None]
            if claimed:
                return claimed
        return _entries(
            await self.redis.xreadgroup(
                group, consumer, {self.stream: ">"}, count=self.batch_size, block=self.block_ms
            )
        )

    async def delete_stream(self) -> None:
        """Remove the stream and its groups (tests and tooling)."""
        await self.redis.delete(self.stream)

    async def close(self) -> None:
        with contextlib.suppress(RedisError):
            await self.redis.aclose()


def _entries(reply: Any) -> list[tuple[bytes, dict[bytes, bytes] | None]]:
    # XREADGROUP answers [[stream, [(id, fields), …]]] (RESP2) or {stream: [[…]]} (RESP3).
    if not reply:
        return []
    if isinstance(reply, dict):
        streams = list(reply.values())
        return [(mid, f) for mid, f in streams[0][0]] if streams and streams[0] else []
    return [(mid, f) for mid, f in reply[0][1]]


def _fields(event: Outgoing) -> dict[Any, Any]:
    return {"type": event.type, "id": event.id, "envelope": event.body}


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _stream_id(value: bytes | str) -> tuple[int, int]:
    ms, _, seq = _text(value).partition("-")
    return int(ms), int(seq or 0)
