"""The worker process: the ``invoice.paid`` consumer and the sender, until SIGTERM or SIGINT.

Both share one stop event. The consumer records notifications (tb_platform's worker runs it, with
its retries and dead letters); the sender sends them. The service publishes no events, so there is
no outbox relay.
"""

from __future__ import annotations

import asyncio
import logging

from tb_platform.db import Database
from tb_platform.events.consumer import Consumer
from tb_platform.events.transport import Transport
from tb_platform.events.worker import WorkerSpec, run_worker, service_transport

from .core.config import NotificationSettings
from .db.events import EVENTS
from .services.receipts import queue_receipt
from .services.sender import Sender

log = logging.getLogger(__name__)

RECEIPTS_CONSUMER = "notification-service.receipts"

WORKER = WorkerSpec(tables=EVENTS, consumers={RECEIPTS_CONSUMER: [queue_receipt]}, relay=False)
"""What the worker consumes (also what the dead-letter API replays)."""


async def run_notification_worker(
    settings: NotificationSettings,
    *,
    transport: Transport | None = None,
    stop: asyncio.Event | None = None,
    handle_signals: bool = True,
) -> None:
    """Consume and send until SIGTERM/SIGINT (or ``stop``); if either part dies, both stop and
    the error is raised, so that the process exits and its supervisor restarts it."""
    stop = stop or asyncio.Event()
    url = settings.require_database_url()
    # The sender has its own small pool: run_worker disposes of the consumers' when it returns.
    events_database = Database.connect(url, pool_size=2, max_overflow=2)
    sender_database = Database.connect(url, pool_size=2, max_overflow=2)
    transport = transport or service_transport(settings)
    consumers = [
        Consumer(
            name,
            transport,
            events_database,
            handlers,
            tables=WORKER.tables,
            max_attempts=settings.event_max_attempts,
        )
        for name, handlers in WORKER.consumers.items()
    ]
    sender = Sender(sender_database, settings)
    log.info("notification worker: consumers %s and the sender", ", ".join(WORKER.consumers))
    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(
                run_worker(
                    events_database,
                    transport,
                    consumers=consumers,
                    stop=stop,
                    handle_signals=handle_signals,
                ),
                name="events",
            )
            group.create_task(sender.run(stop), name="sender")
    finally:
        stop.set()
        await sender_database.dispose()
