"""What the relay and the consumers need from a message broker, and how one is chosen.

Two adapters implement it: :class:`~.redis_streams.RedisStreamsTransport` (Redis 6.2+ streams
with consumer groups) and :class:`~.rabbitmq.RabbitMqTransport` (a RabbitMQ topic exchange).
Delivery is at least once with either: consumers de-duplicate by event id (the inbox).
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import AsyncGenerator, Iterable, Sequence
from dataclasses import dataclass

from .envelope import Envelope

EXCHANGE = "tb-erp.events"
"""The one stream (Redis) or topic exchange (RabbitMQ) all TB ERP events go through."""


def backoff_delay(attempt: int, *, base: float, cap: float) -> float:
    """Exponential backoff: ``base`` after the first failure, doubling, never above ``cap``."""
    return min(cap, base * 2 ** max(0, attempt - 1))


async def sleep_unless(stop: asyncio.Event | None, seconds: float) -> bool:
    """Sleep ``seconds`` or until ``stop`` is set; True if it was set."""
    if stop is None:
        await asyncio.sleep(seconds)
        return False
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class Outgoing:
    """An event as the relay hands it to a broker: the envelope's JSON as the outbox holds it,
    with the id and type the broker labels and routes it by, from the outbox's own columns.

    The relay sends it without parsing it: each envelope was checked when it was written (in
    the producer's transaction), and the consumers check what they receive (a malformed one is
    dead-lettered there).
    """

    id: str
    type: str
    body: bytes

    @classmethod
    def of(cls, envelope: Envelope) -> Outgoing:
        return cls(id=str(envelope.id), type=envelope.type, body=envelope.to_json())


class Delivery(abc.ABC):
    """One message handed to a consumer; it stays the broker's until acknowledged."""

    body: bytes
    type: str
    # True when the broker handed this one over together with the next (one read of a Redis
    # stream): the consumer may apply them in one transaction (Consumer.handle_many).
    more_follow: bool = False

    @abc.abstractmethod
    async def ack(self) -> None:
        """Done with it (applied, a duplicate, or dead-lettered): the broker forgets it."""

    @abc.abstractmethod
    async def nack(self) -> None:
        """Not done (shutting down mid-retry): the broker delivers it again later."""


class Transport(abc.ABC):
    """Publish envelopes; consume them in named groups, each group getting every event once."""

    # Outbox rows a relay pass takes (Relay's default batch_size): what one publish_many call
    # sends well within the relay's publish timeout.
    relay_batch: int = 500

    @abc.abstractmethod
    async def publish(self, envelope: Envelope) -> None:
        """Send ``envelope``; returns only once the broker has confirmed it (raises otherwise)."""

    async def ack_many(self, deliveries: Sequence[Delivery]) -> None:
        """Acknowledge ``deliveries`` (a consumer's batch, applied); a transport that can does it
        in one call."""
        for delivery in deliveries:
            await delivery.ack()

    async def publish_many(self, events: Sequence[Outgoing]) -> tuple[int, Exception | None]:
        """Send ``events`` in order: how many, from the first, the broker confirmed, and why
        the next one was not (None when all were). Never raises for a broker's refusal.

        One :meth:`publish` after another here; the Redis and RabbitMQ transports send the
        bodies as they are (Redis: the batch in one pipelined round trip).
        """
        for index, event in enumerate(events):
            try:
                await self.publish(Envelope.from_json(event.body))
            except Exception as exc:
                return index, exc
        return len(events), None

    @abc.abstractmethod
    async def declare(self, group: str, types: Iterable[str]) -> None:
        """Make sure group ``group`` exists and keeps ``types`` until its consumer reads them."""

    @abc.abstractmethod
    def subscribe(
        self,
        group: str,
        consumer: str,
        types: Iterable[str],
        *,
        stop: asyncio.Event | None = None,
    ) -> AsyncGenerator[Delivery, None]:
        """Deliveries of ``types`` for consumer group ``group`` until ``stop`` is set.

        ``consumer`` names this process within the group. Broker outages are waited out
        inside the iterator (with backoff), so a consumer loop only ends when asked to.
        """

    @abc.abstractmethod
    async def close(self) -> None:
        """Close the broker connections."""


def transport_from_settings(
    *, redis_url: str | None = None, broker_url: str | None = None, **options: object
) -> Transport:
    """The transport the environment asks for.

    ``BROKER_URL=amqp://…`` (or ``amqps://``) selects RabbitMQ; a ``redis://`` BROKER_URL, or else
    ``REDIS_URL``, selects Redis Streams. ``options`` go to the adapter's constructor.
    """
    if broker_url and broker_url.split(":", 1)[0].lower() in ("amqp", "amqps"):
        from .rabbitmq import RabbitMqTransport

        return RabbitMqTransport(broker_url, **options)  # type: ignore[arg-type]
    url = broker_url or redis_url
    if url and url.split(":", 1)[0].lower() in ("redis", "rediss", "unix"):
        from .redis_streams import RedisStreamsTransport

        return RedisStreamsTransport(url, **options)  # type: ignore[arg-type]
    raise ValueError(
        "No event broker configured: set BROKER_URL=amqp://… (RabbitMQ) or REDIS_URL=redis://…"
    )
