"""For tests that hand a consumer its events directly, as the worker's broker would."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterable
from dataclasses import dataclass
from typing import Any

from ..events.envelope import Envelope
from ..events.transport import Delivery, Transport


class NoBroker(Transport):
    """The transport of a consumer that is handed its deliveries (never subscribes or
    publishes); acknowledging goes to each delivery."""

    async def publish(self, envelope: Envelope) -> None:
        raise AssertionError("not used")

    async def declare(self, group: str, types: Iterable[str]) -> None:
        raise AssertionError("not used")

    def subscribe(self, *args: Any, **kwargs: Any) -> AsyncGenerator[Delivery, None]:
        raise AssertionError("not used")

    async def close(self) -> None:
        return None


@dataclass
class HandedDelivery(Delivery):
    """An envelope handed to :meth:`Consumer.handle_many` as if read from a broker."""

    body: bytes
    type: str
    more_follow: bool = False
    acked: bool = False

    @classmethod
    def of(cls, envelope: Envelope, *, more_follow: bool = True) -> HandedDelivery:
        return cls(envelope.to_json(), envelope.type, more_follow=more_follow)

    async def ack(self) -> None:
        self.acked = True

    async def nack(self) -> None:
        raise AssertionError("a handed delivery is not given back")
