"""How far each consumer group of a service is behind, asked of the broker at scrape time.

Lag is the number of events on the broker that the group has not handled yet:

- Redis Streams: ``XINFO GROUPS`` — the group's ``lag`` (entries not yet delivered to it) plus
  its ``pending`` (delivered to a consumer, not acknowledged). When Redis cannot tell the lag
  (entries were deleted from the middle of the stream) only the pending ones are counted.
- RabbitMQ: the ready messages of the group's queue (a passive declare).

A group the broker does not know yet (its worker never started) is left out. The probe keeps
one connection, with short timeouts, and drops it after an error.
"""

from __future__ import annotations

import abc
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from ..events.transport import EXCHANGE

log = logging.getLogger("tb_platform.observability.lag")

TIMEOUT_SECONDS = 1.0


class LagProbe(abc.ABC):
    """Reads the lag of consumer groups from one broker."""

    @abc.abstractmethod
    async def lags(self, groups: Sequence[str]) -> dict[str, int]:
        """The lag of each of ``groups`` the broker knows."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Close the broker connection."""


class RedisLagProbe(LagProbe):
    """Lag of the consumer groups on the Redis stream ``stream``."""

    def __init__(self, url: str, *, stream: str = EXCHANGE, client: Any = None) -> None:
        from redis.asyncio import Redis

        self.stream = stream
        self.redis = client or Redis.from_url(
            url,
            socket_connect_timeout=TIMEOUT_SECONDS,
            socket_timeout=TIMEOUT_SECONDS,
            retry_on_timeout=False,
        )

    async def lags(self, groups: Sequence[str]) -> dict[str, int]:
        from redis.exceptions import ResponseError

        try:
            infos = await self.redis.xinfo_groups(self.stream)
        except ResponseError as exc:
            if "no such key" in str(exc).lower():
                return {}  # no event published yet, no group made yet
            raise
        wanted = set(groups)
        found: dict[str, int] = {}
        for info in infos:
            name = info.get("name")
            name = name.decode() if isinstance(name, bytes) else str(name)
            if name in wanted:
                found[name] = int(info.get("pending") or 0) + int(info.get("lag") or 0)
        return found

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.redis.aclose()


class RabbitMqLagProbe(LagProbe):
    """Ready messages of the groups' queues (``<exchange>.<group>``) on RabbitMQ."""

    def __init__(self, url: str, *, exchange: str = EXCHANGE) -> None:
        self.url = url
        self.exchange = exchange
        self._connection: Any = None

    async def _connect(self) -> Any:
        import aio_pika

        if self._connection is None or self._connection.is_closed:
            self._connection = await aio_pika.connect(self.url, timeout=TIMEOUT_SECONDS)
        return self._connection

    async def lags(self, groups: Sequence[str]) -> dict[str, int]:
        import aio_pika.exceptions

        found: dict[str, int] = {}
        try:
            connection = await self._connect()
            for group in groups:
                channel = await connection.channel()
                try:
                    queue = await channel.declare_queue(
                        f"{self.exchange}.{group}", passive=True, timeout=TIMEOUT_SECONDS
                    )
                except aio_pika.exceptions.ChannelClosed:
                    continue  # no such queue (yet); the failed declare closed the channel
                found[group] = int(queue.declaration_result.message_count or 0)
                await channel.close()
        except Exception:
            await self.close()
            raise
        return found

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close()


def lag_probe_for(*, redis_url: str | None, broker_url: str | None) -> LagProbe | None:
    """The probe for the broker the settings name (as ``transport_from_settings`` chooses it)."""
    if broker_url and broker_url.split(":", 1)[0].lower() in ("amqp", "amqps"):
        return RabbitMqLagProbe(broker_url)
    url = broker_url or redis_url
    if url and url.split(":", 1)[0].lower() in ("redis", "rediss", "unix"):
        return RedisLagProbe(url)
    return None
