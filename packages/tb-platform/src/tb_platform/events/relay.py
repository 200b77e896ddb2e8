"""The relay: publishes committed outbox rows, in order, and marks them once the broker has them.

At least once: a relay that dies after publishing and before marking publishes those rows again
when it comes back, and the consumers' inbox makes the second copy harmless. Never lost: a row
is marked only after the broker confirmed it, and a row the broker refused stays, with its error
and the time of its next attempt (exponential backoff).

Order: rows go out in ``id`` order and a batch stops at the first failure, so an event is never
overtaken by a later one of its aggregate. (Ids follow commit order per aggregate because a domain
function changes — and so locks — the aggregate's row before it publishes: a second transaction on
the same aggregate writes its event only after the first committed.) One relay works at a time
per schema (a transaction-scoped advisory lock); further replicas stand by.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import DateTime, Interval, Row, Text, cast, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from ..db import Database
from ..observability.tracing import event_span, tracing_enabled
from ..query import any_of
from .envelope import Envelope
from .outbox import EventTables
from .transport import Outgoing, Transport, backoff_delay, sleep_unless

log = logging.getLogger("tb_platform.events.relay")

_MAX_ERROR = 2000


def _now() -> Any:
    # The wall clock, not now(): a batch's transaction may have started seconds ago.
    return func.clock_timestamp(type_=DateTime(timezone=True))


class Relay:
    """Moves ``tables``' outbox to ``transport``; run it with ``await relay.run(stop)``.

    It wakes on the outbox's NOTIFY (a commit that wrote events) and otherwise every
    ``poll_interval`` seconds, so a committed event is on the broker within milliseconds.

    ``batch_size`` rows are taken per pass (by default the transport's ``relay_batch``). Each
    pass's SELECT walks the unpublished-rows index from its start, past the entries of rows
    already published but not yet vacuumed (and while a long transaction such as a CSV import is
    open, nothing can be cleaned up), so a burst costs passes x published rows: with 50 per pass
    the 100 000 events of the benchmark's import cost PostgreSQL 12.6 s of such walks, and with
    500 that walk was still PostgreSQL's largest cost during the import (sampled
    ``pg_stat_activity``: the relay's SELECT active twice as often as the import's INSERT).
    """

    def __init__(
        self,
        database: Database,
        transport: Transport,
        tables: EventTables,
        *,
        batch_size: int | None = None,
        poll_interval: float = 0.2,
        retry_base: float = 0.1,
        retry_cap: float = 5.0,
        publish_timeout: float = 10.0,
        listen: bool = True,
    ) -> None:
        self.database = database
        self.transport = transport
        self.tables = tables
        self.batch_size = batch_size or transport.relay_batch
        self.poll_interval = poll_interval
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        self.publish_timeout = publish_timeout
        self.listen = listen
        self._wake = asyncio.Event()
        self._listener: AsyncConnection | None = None
        self._driver: Any = None

    def wake(self) -> None:
        """Look at the outbox now rather than at the next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until ``stop`` is set; database and broker failures are retried, not raised."""
        failures = 0
        try:
            while not stop.is_set():
                await self._keep_listening()
                self._wake.clear()
                try:
                    published = await self.publish_pending()
                    failures = 0
                except Exception:
                    failures += 1
                    delay = backoff_delay(failures, base=self.retry_base, cap=self.retry_cap)
                    log.exception("relay pass failed; next in %.2fs", delay)
                    await sleep_unless(stop, delay)
                    continue
                if published >= self.batch_size:
                    continue  # more may be waiting
                await self._idle(stop)
        finally:
            await self._unlisten()

    async def publish_pending(self) -> int:
        """One pass: publish the due rows in id order; returns how many went out.

        Stops at the first row that is not yet due for a retry or that the broker refuses, so
        that no event overtakes an earlier one.
        """
        outbox = self.tables.outbox
        async with self.database.sessionmaker() as session, session.begin():
            locked = await session.scalar(
                select(func.pg_try_advisory_xact_lock(func.hashtext(self.tables.channel)))
            )
            if not locked:
                return 0  # another relay is working on this outbox
            rows = (
                await session.execute(
                    select(
                        outbox.c.id,
                        outbox.c.event_id,
                        outbox.c.type,
                        # The envelope's JSON as PostgreSQL writes the stored document: sent
                        # as it is, not decoded, checked and encoded again.
                        cast(outbox.c.payload, Text).label("body"),
                        outbox.c.attempts,
                        (outbox.c.next_attempt_at <= _now()).label("due"),
                    )
                    .where(outbox.c.published_at.is_(None))
                    .order_by(outbox.c.id)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            # The due rows up to the first that is not.
            sendable: list[Row[Any]] = []
            for row in rows:
                if not row.due:
                    break
                sendable.append(row)
            sent, error = await self._send(
                [Outgoing(str(row.event_id), row.type, row.body.encode()) for row in sendable]
            )
            published = [row.id for row in sendable[:sent]]
            if error is not None:
                await self._record_failure(session, sendable[sent], error)
            if published:
                await self._mark_published(session, published)
        return len(published)

    async def _send(self, events: list[Outgoing]) -> tuple[int, Exception | None]:
        """Publish ``events`` in order: how many went out from the first, and why the next did
        not. With tracing on, each in its own producer span (one round trip each, and each
        envelope read for its trace context); else as one batch (for Redis, a pipeline: one
        round trip per pass instead of one per event)."""
        if not tracing_enabled():
            try:
                return await asyncio.wait_for(
                    self.transport.publish_many(events), timeout=self.publish_timeout
                )
            except Exception as exc:  # the batch timed out: none is known sent
                return 0, exc
        for index, event in enumerate(events):
            try:
                envelope = Envelope.from_json(event.body)
                with event_span(
                    f"send {envelope.type}",
                    traceparent=envelope.traceparent,
                    kind="producer",
                    attributes={
                        "messaging.operation.type": "send",
                        "messaging.message.id": str(envelope.id),
                        "cloudevents.event_type": envelope.type,
                    },
                ):
                    await asyncio.wait_for(
                        self.transport.publish(envelope), timeout=self.publish_timeout
                    )
            except Exception as exc:
                return index, exc
        return len(events), None

    async def _mark_published(self, session: AsyncSession, ids: Sequence[int]) -> None:
        outbox = self.tables.outbox
        await session.execute(
            # = ANY(array): one statement shape for any batch (IN would render 500 parameters)
            update(outbox).where(any_of(outbox.c.id, ids)).values(published_at=_now())
        )

    async def _record_failure(self, session: AsyncSession, row: Row[Any], exc: Exception) -> None:
        attempts = row.attempts + 1
        delay = backoff_delay(attempts, base=self.retry_base, cap=self.retry_cap)
        error = f"{type(exc).__name__}: {exc}"[:_MAX_ERROR]
        log.warning("publishing outbox row %s failed (attempt %s): %s", row.id, attempts, error)
        outbox = self.tables.outbox
        await session.execute(
            update(outbox)
            .where(outbox.c.id == row.id)
            .values(
                attempts=attempts,
                last_error=error,
                next_attempt_at=_now() + literal(timedelta(seconds=delay), Interval()),
            )
        )

    async def _idle(self, stop: asyncio.Event) -> None:
        # Until a NOTIFY, the poll interval, or stop — whichever comes first.
        waiters = {
            asyncio.ensure_future(self._wake.wait()),
            asyncio.ensure_future(stop.wait()),
        }
        try:
            await asyncio.wait(
                waiters, timeout=self.poll_interval, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def _keep_listening(self) -> None:
        if not self.listen:
            return
        if self._driver is not None and not self._driver.is_closed():
            return
        await self._unlisten()
        try:
            connection = await self.database.engine.connect()
            raw = await connection.get_raw_connection()
            driver = raw.driver_connection
            if driver is None:  # pragma: no cover - asyncpg always has one
                raise RuntimeError("no asyncpg connection")
            await driver.add_listener(self.tables.channel, self._notified)
        except Exception as exc:
            # Polling still publishes, only a little later; try LISTEN again on the next pass.
            log.warning("cannot LISTEN on %s (%s); polling", self.tables.channel, exc)
            return
        self._listener, self._driver = connection, driver

    def _notified(self, *_: object) -> None:
        self._wake.set()

    async def _unlisten(self) -> None:
        connection, driver = self._listener, self._driver
        self._listener = self._driver = None
        if connection is None:
            return
        try:
            if driver is not None and not driver.is_closed():
                await driver.remove_listener(self.tables.channel, self._notified)
        except Exception:  # pragma: no cover - the connection is being thrown away anyway
            log.debug("remove_listener failed", exc_info=True)
        # Not back to the pool: a connection that LISTENed is not a clean one.
        await connection.invalidate()
        await connection.close()
