"""RabbitMQ transport (aio-pika): a durable topic exchange, one durable queue per consumer group.

The routing key is the event type, so a group's queue receives exactly the types it is bound
to. Publishing waits for the broker's confirm; consuming acknowledges by hand. A group's queue
receives events from the moment it is first declared, so a worker declares its queues when it
starts, before the first event it must see is published.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Iterable

import aio_pika
from aio_pika.abc import (
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractRobustChannel,
    AbstractRobustConnection,
)

from .envelope import Envelope
from .transport import EXCHANGE, Delivery, Transport, backoff_delay, sleep_unless

log = logging.getLogger("tb_platform.events.rabbitmq")


class RabbitDelivery(Delivery):
    """A message from the group's queue; acknowledged by hand."""

    def __init__(self, message: AbstractIncomingMessage) -> None:
        self._message = message
        self.body = message.body
        self.type = message.routing_key or message.type or ""

    async def ack(self) -> None:
        try:
            await self._message.ack()
        except Exception as exc:  # the channel died since delivery: the broker will redeliver
            log.warning("could not acknowledge %s: %s", self._message.message_id, exc)

    async def nack(self) -> None:
        try:
            await self._message.nack(requeue=True)
        except Exception as exc:  # the channel died since delivery: the broker will redeliver
            log.warning("could not return %s: %s", self._message.message_id, exc)


class RabbitMqTransport(Transport):
    """Events on the topic exchange ``exchange`` (``tb-erp.events``) of the broker at ``url``.

    Queues are named ``<exchange>.<group>``. The connection is made on first use and restored
    by aio-pika's robust connection after a broker restart.
    """

    def __init__(
        self,
        url: str,
        *,
        exchange: str = EXCHANGE,
        prefetch: int = 20,
        publish_timeout: float = 5.0,
        connect_timeout: float = 5.0,
        reconnect_base: float = 0.1,
        reconnect_cap: float = 5.0,
    ) -> None:
        self.url = url
        self.exchange_name = exchange
        self.prefetch = prefetch
        self.publish_timeout = publish_timeout
        self.connect_timeout = connect_timeout
        self.reconnect_base = reconnect_base
        self.reconnect_cap = reconnect_cap
        self._connection: AbstractRobustConnection | None = None
        self._publisher: AbstractExchange | None = None
        self._publisher_channel: AbstractRobustChannel | None = None
        self._lock = asyncio.Lock()

    def queue_name(self, group: str) -> str:
        """The durable queue of consumer group ``group``."""
        return f"{self.exchange_name}.{group}"

    async def _connect(self) -> AbstractRobustConnection:
        async with self._lock:
            if self._connection is None or self._connection.is_closed:
                self._connection = await aio_pika.connect_robust(
                    self.url, timeout=self.connect_timeout
                )
                self._publisher = None
            return self._connection

    async def _declare_exchange(self, channel: AbstractRobustChannel) -> AbstractExchange:
        return await channel.declare_exchange(
            self.exchange_name, aio_pika.ExchangeType.TOPIC, durable=True
        )

    async def publish(self, envelope: Envelope) -> None:
        """Publish persistently with routing key = event type; returns after the broker's ack."""
        connection = await self._connect()
        if (
            self._publisher is None
            or self._publisher_channel is None
            or self._publisher_channel.is_closed
        ):
            channel = connection.channel(publisher_confirms=True)
            await channel.initialize()
            self._publisher = await self._declare_exchange(channel)
            self._publisher_channel = channel
        message = aio_pika.Message(
            envelope.to_json(),
            content_type="application/cloudevents+json",
            message_id=str(envelope.id),
            type=envelope.type,
            timestamp=envelope.time,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )
        # mandatory=False: an event no group subscribes to is dropped, not an error.
        await self._publisher.publish(
            message, routing_key=envelope.type, mandatory=False, timeout=self.publish_timeout
        )

    async def declare(self, group: str, types: Iterable[str]) -> None:
        """Declare ``group``'s queue and bindings, so it keeps events until its consumer runs."""
        connection = await self._connect()
        async with connection.channel() as channel:
            exchange = await self._declare_exchange(channel)
            queue = await channel.declare_queue(self.queue_name(group), durable=True)
            for event_type in types:
                await queue.bind(exchange, routing_key=event_type)

    async def subscribe(
        self,
        group: str,
        consumer: str,
        types: Iterable[str],
        *,
        stop: asyncio.Event | None = None,
    ) -> AsyncGenerator[Delivery, None]:
        wanted = sorted(set(types))
        stop = stop or asyncio.Event()
        failures = 0
        while not stop.is_set():
            try:
                connection = await self._connect()
                channel = await connection.channel()
            except Exception as exc:
                failures += 1
                delay = backoff_delay(failures, base=self.reconnect_base, cap=self.reconnect_cap)
                log.warning(
                    "RabbitMQ unavailable for %s (%s); retrying in %.2fs", group, exc, delay
                )
                await sleep_unless(stop, delay)
                continue
            failures = 0
            try:
                await channel.set_qos(prefetch_count=self.prefetch)
                exchange = await self._declare_exchange(channel)
                queue = await channel.declare_queue(self.queue_name(group), durable=True)
                for event_type in wanted:
                    await queue.bind(exchange, routing_key=event_type)
                received: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
                await queue.consume(received.put, consumer_tag=f"{group}.{consumer}")
                while not stop.is_set():
                    try:
                        message = await asyncio.wait_for(received.get(), timeout=0.5)
                    except TimeoutError:
                        continue
                    yield RabbitDelivery(message)
                # Messages fetched but not handed out go back when the channel closes.
                return
            finally:
                if not channel.is_closed:
                    await channel.close()

    async def delete(self, *groups: str) -> None:
        """Delete the exchange and the queues of ``groups`` (tests and tooling)."""
        connection = await self._connect()
        async with connection.channel() as channel:
            for group in groups:
                await channel.queue_delete(self.queue_name(group))
            await channel.exchange_delete(self.exchange_name)

    async def close(self) -> None:
        if self._connection is not None and not self._connection.is_closed:
            await self._connection.close()
        self._connection = None
        self._publisher = None
