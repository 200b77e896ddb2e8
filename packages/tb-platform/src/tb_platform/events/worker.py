"""The event worker process of a service: its relay and its consumers, until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..db import Database
from ..observability.tracing import setup_tracing
from ..page_cache import PageCache
from ..settings import ServiceSettings
from .consumer import Consumer, Handler
from .outbox import EventTables
from .relay import Relay
from .transport import Transport, transport_from_settings

log = logging.getLogger("tb_platform.events.worker")

_SIGNALS = (signal.SIGTERM, signal.SIGINT)


async def run_worker(
    database: Database,
    transport: Transport,
    *,
    relay: Relay | None = None,
    consumers: Sequence[Consumer] = (),
    stop: asyncio.Event | None = None,
    handle_signals: bool = True,
) -> None:
    """Run ``relay`` and ``consumers`` concurrently until SIGTERM/SIGINT (or ``stop`` is set).

    On the signal each part finishes what it holds — the relay its batch, each consumer the
    event in hand — and returns; then the transport is closed and the database disposed: the
    worker owns both for the life of the process. If a part dies of an unexpected error the
    others are stopped and the error is raised, so the process exits and its supervisor
    restarts it.
    """
    if relay is None and not consumers:
        raise ValueError("run_worker needs a relay, consumers, or both")
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    if handle_signals:
        for sig in _SIGNALS:
            try:
                loop.add_signal_handler(sig, _stop_on_signal, stop, sig)
            except (NotImplementedError, RuntimeError):  # not the main thread, or Windows
                continue
            installed.append(sig)
    try:
        for consumer in consumers:
            # Before the relay's first publish: a RabbitMQ queue only keeps what arrives after
            # it exists. A broker that is down now is waited out by the consumer itself.
            try:
                await consumer.declare()
            except Exception as exc:
                log.warning("could not declare %s yet: %s", consumer.name, exc)
        async with asyncio.TaskGroup() as group:
            if relay is not None:
                group.create_task(relay.run(stop), name="relay")
            for consumer in consumers:
                group.create_task(consumer.run(stop), name=f"consumer:{consumer.name}")
    finally:
        stop.set()
        for sig in installed:
            loop.remove_signal_handler(sig)
        with contextlib.suppress(Exception):
            await transport.close()
        await database.dispose()
        log.info("event worker stopped")


def _stop_on_signal(stop: asyncio.Event, sig: signal.Signals) -> None:
    log.info("received %s: stopping the event worker", sig.name)
    stop.set()


@dataclass(frozen=True)
class WorkerSpec:
    """What a service's ``worker`` command runs: its outbox relay and its consumers.

    ``consumers`` maps a consumer (group) name, e.g. ``"asset-service.employees"``, to its
    handlers. A service declares one ``WORKER = WorkerSpec(tables=EVENTS, consumers={...})``.
    """

    tables: EventTables
    consumers: Mapping[str, Sequence[Handler]] = field(default_factory=dict)
    relay: bool = True
    # The service's page caches (tb_platform.page_cache), built from its settings: alive while
    # the worker runs, so that what its handlers write makes them stale as the API's writes do.
    page_caches: Callable[[Any], Sequence[PageCache]] | None = None


def service_transport(settings: ServiceSettings) -> Transport:
    """The broker a service's settings name (BROKER_URL, else REDIS_URL)."""
    return transport_from_settings(redis_url=settings.redis_url, broker_url=settings.broker_url)


async def run_service_worker(
    settings: ServiceSettings, spec: WorkerSpec, *, stop: asyncio.Event | None = None
) -> None:
    """Run a service's relay and consumers from its settings until SIGTERM/SIGINT."""
    setup_tracing(settings.service_name)
    database = Database.connect(settings.require_database_url(), pool_size=4, max_overflow=4)
    transport = service_transport(settings)
    consumers = [
        Consumer(
            name,
            transport,
            database,
            handlers,
            tables=spec.tables,
            max_attempts=settings.event_max_attempts,
        )
        for name, handlers in spec.consumers.items()
    ]
    relay = Relay(database, transport, spec.tables) if spec.relay else None
    pages = spec.page_caches(settings) if spec.page_caches else ()
    log.info(
        "%s worker: relay %s, consumers %s",
        settings.service_name,
        "on" if relay else "off",
        ", ".join(spec.consumers) or "none",
    )
    try:
        await run_worker(database, transport, relay=relay, consumers=consumers, stop=stop)
    finally:
        for page_cache in pages:
            await page_cache.close()
