"""Consumers: a service's event handlers, run once per event, with retries and a dead letter.

A handler is an ordinary domain function run in a unit of work, under the same rules as a request::

    @handles("employee.deleted")
    async def clear_assignments(uow: UnitOfWork, event: Envelope) -> None:
        employee = EmployeeDeleted.of(event)
        ...

For each delivery the consumer opens a unit of work, records (consumer, event id) in the inbox —
a duplicate finds it there and changes nothing — runs the handlers, and commits; only then does
it acknowledge the message. A handler that raises is retried with backoff in a fresh unit of work;
after ``max_attempts`` the event goes to ``dead_letters`` (in a transaction of its own) and is
acknowledged, so one bad event does not hold back the others. ``replay_dead_letter`` runs it
again, through the same path, once the fault is fixed.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
import socket
import traceback
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from ..db import Database, database_unavailable, run_after_commit
from ..observability.logs import REQUEST_ID
from ..observability.tracing import event_span, tracing_enabled
from ..uow import SYSTEM_CLOCK, Actor, Clock, UnitOfWork, unit_of_work
from .catalog import data_model
from .envelope import Envelope
from .outbox import EventTables
from .transport import Delivery, Transport, backoff_delay, sleep_unless

log = logging.getLogger("tb_platform.events.consumer")

Handler = Callable[[UnitOfWork, Envelope], Awaitable[None]]
ManyHandler = Callable[[UnitOfWork, Sequence[Envelope]], Awaitable[None]]
H = TypeVar("H", bound=Handler)

_TYPES_ATTRIBUTE = "__tb_event_types__"
_MANY_ATTRIBUTE = "__tb_many__"
_MAX_ERROR = 8000


def handles(*event_types: str) -> Callable[[H], H]:
    """Mark a handler for ``event_types`` (catalog types; a typo fails at import time)."""
    if not event_types:
        raise ValueError("handles() needs at least one event type")
    for event_type in event_types:
        data_model(event_type)

    def mark(handler: H) -> H:
        setattr(handler, _TYPES_ATTRIBUTE, (*handled_types(handler), *event_types))
        return handler

    return mark


def handles_many(*event_types: str) -> Callable[[ManyHandler], Handler]:
    """Mark a handler that applies several events at once: ``async def h(uow, events)``.

    A consumer applies the deliveries of one read in one transaction (:meth:`Consumer.handle_many`).
    Such a handler is called once there, with every new event of its types in the batch, in
    their order, in a unit of work of its own after the batch's one-event handlers: so it must
    not depend on what another handler does with the same batch. An event applied on its own (a
    retry, a dead letter replayed, tracing on) comes as a list of one. For a burst (an import's
    100,000 ``asset.created``): one statement a batch instead of one an event.

    The result is an ordinary handler (one event at a time), marked as :func:`handles` marks.
    """
    mark_types = handles(*event_types)

    def mark(many: ManyHandler) -> Handler:
        async def one_at_a_time(uow: UnitOfWork, event: Envelope) -> None:
            await many(uow, [event])

        functools.update_wrapper(one_at_a_time, many)
        setattr(one_at_a_time, _MANY_ATTRIBUTE, many)
        return mark_types(one_at_a_time)

    return mark


def handled_types(handler: Handler) -> tuple[str, ...]:
    """The event types ``handler`` was marked for with :func:`handles`."""
    types: tuple[str, ...] = getattr(handler, _TYPES_ATTRIBUTE, ())
    return types


@dataclass(frozen=True)
class DeadLetter:
    """An event a consumer gave up on, with the last error."""

    id: int
    consumer: str
    event_id: uuid.UUID | None
    type: str
    payload: dict[str, Any]
    error: str
    attempts: int
    failed_at: datetime
    replayed_at: datetime | None


@dataclass
class ConsumerStats:
    """What a consumer has done since it started (for logs, metrics and tests)."""

    received: int = 0
    applied: int = 0
    duplicates: int = 0
    retries: int = 0
    dead_lettered: int = 0
    batches: int = 0  # transactions that applied several deliveries at once


class Consumer:
    """Runs ``handlers`` for the events of their types, as consumer group ``name``.

    ``name`` is stable and unique across services (``asset-service.employee-sync``): the broker
    keeps the group's position under it and the inbox remembers what it applied. ``tables`` are
    the service's event tables (inbox and dead letters; the outbox for events handlers publish).
    """

    def __init__(
        self,
        name: str,
        transport: Transport,
        database: Database,
        handlers: Iterable[Handler],
        *,
        tables: EventTables,
        max_attempts: int = 5,
        retry_base: float = 0.2,
        retry_cap: float = 5.0,
        instance: str | None = None,
        clock: Clock | None = None,
        batch_size: int = 500,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.name = name
        self.transport = transport
        self.database = database
        self.tables = tables
        self.max_attempts = max_attempts
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        self.instance = instance or f"{socket.gethostname()}-{os.getpid()}"
        self.clock = clock or SYSTEM_CLOCK
        self.batch_size = batch_size  # deliveries applied in one transaction, at most
        by_type: dict[str, list[Handler]] = {}
        for handler in handlers:
            types = handled_types(handler)
            if not types:
                raise ValueError(f"{handler!r} is not marked with @handles(...)")
            for event_type in types:
                by_type.setdefault(event_type, []).append(handler)
        if not by_type:
            raise ValueError(f"consumer {name!r} has no handlers")
        self.handlers: Mapping[str, Sequence[Handler]] = by_type
        # In a batch (_apply_all), each type's handlers split in two: those that take one event,
        # run in the event's own unit, and the @handles_many ones, called once for the batch.
        self._one_by_one: Mapping[str, tuple[Handler, ...]] = {
            event_type: tuple(h for h in handlers if not hasattr(h, _MANY_ATTRIBUTE))
            for event_type, handlers in by_type.items()
        }
        self._batched: Mapping[str, tuple[ManyHandler, ...]] = {
            event_type: tuple(
                getattr(h, _MANY_ATTRIBUTE) for h in handlers if hasattr(h, _MANY_ATTRIBUTE)
            )
            for event_type, handlers in by_type.items()
        }
        self.stats = ConsumerStats()

    @property
    def types(self) -> frozenset[str]:
        """The event types this consumer subscribes to (those its handlers handle)."""
        return frozenset(self.handlers)

    async def declare(self) -> None:
        """Create this consumer's group/queue on the broker, so it keeps events from now on."""
        await self.transport.declare(self.name, self.types)

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until ``stop`` is set; the delivery in hand is finished first."""
        failures = 0
        while not stop.is_set():
            try:
                deliveries = self.transport.subscribe(
                    self.name, self.instance, self.types, stop=stop
                )
                async with aclosing(deliveries):
                    batch: list[Delivery] = []
                    async for delivery in deliveries:
                        batch.append(delivery)
                        if delivery.more_follow and len(batch) < self.batch_size:
                            continue
                        await self.handle_many(batch, stop)
                        batch = []
                        failures = 0
            except Exception:
                failures += 1
                delay = backoff_delay(failures, base=self.retry_base, cap=self.retry_cap)
                log.exception("consumer %s failed; resubscribing in %.2fs", self.name, delay)
                await sleep_unless(stop, delay)

    async def handle_many(
        self, deliveries: Sequence[Delivery], stop: asyncio.Event | None = None
    ) -> None:
        """Apply deliveries the broker handed over together in ONE transaction (each event's
        inbox row and its handlers' work, in order; one commit), then acknowledge them all.

        During a burst (an import of 100,000 assets is 100,000 events) a transaction per event
        cost the consumer most of its time. Once-only is the inbox's, as for one event. If
        anything in the batch fails, nothing of it was committed, and each delivery is handled
        on its own (:meth:`handle`: retries, outages waited out, dead letters). With tracing on,
        each event is handled on its own, in its own consumer span.
        """
        if len(deliveries) == 1 or tracing_enabled():
            for delivery in deliveries:
                await self.handle(delivery, stop)
            return
        try:
            envelopes = [Envelope.from_json(delivery.body) for delivery in deliveries]
            applied = await self._apply_all(envelopes)
        except Exception as exc:
            log.info("%s: a batch of %s failed (%s); one by one", self.name, len(deliveries), exc)
            for delivery in deliveries:
                await self.handle(delivery, stop)
            return
        self.stats.received += len(deliveries)
        self.stats.applied += applied
        self.stats.duplicates += len(deliveries) - applied
        self.stats.batches += 1
        await self.transport.ack_many(deliveries)

    async def _apply_all(self, envelopes: Sequence[Envelope]) -> int:
        """Apply ``envelopes`` in one transaction; how many were new to this consumer."""
        async with self.database.sessionmaker() as session:
            try:
                new = await self._claim(session, envelopes)  # the batch's inbox rows at once
                applied = len(new)
                batched: dict[ManyHandler, list[Envelope]] = {}  # @handles_many's, run last
                for envelope in envelopes:
                    if envelope.id not in new:
                        continue
                    new.discard(envelope.id)  # a second copy in the batch is a duplicate
                    for many in self._batched.get(envelope.type, ()):
                        batched.setdefault(many, []).append(envelope)
                    one_by_one = self._one_by_one.get(envelope.type, ())
                    if one_by_one:
                        # Each event its own unit (request id, trace, audit context), all on
                        # the batch's session and transaction; its changes flushed (and
                        # audited) under its own unit.
                        await self._in_unit(
                            session, envelope, envelope.traceparent, self._run, one_by_one, envelope
                        )
                for many, events in batched.items():
                    await self._in_unit(session, events[0], None, many, events)
            except BaseException:
                await session.rollback()
                raise
            await session.commit()
            await run_after_commit(session)
        return applied

    async def _in_unit(
        self,
        session: AsyncSession,
        envelope: Envelope,
        traceparent: str | None,
        step: Callable[..., Awaitable[None]],
        *arguments: Any,
    ) -> None:
        """Run ``step(uow, *arguments)`` in a unit of ``session`` named after ``envelope``."""
        request_id = REQUEST_ID.set(str(envelope.id))
        try:
            uow = UnitOfWork(
                session=session,
                actor=Actor.system(self.name),
                clock=self.clock,
                request_id=str(envelope.id),
                traceparent=traceparent,  # an Envelope's is valid or None
                outbox=self.tables,
            )
            await step(uow, *arguments)
            await session.flush()
        finally:
            REQUEST_ID.reset(request_id)

    async def handle(self, delivery: Delivery, stop: asyncio.Event | None = None) -> None:
        """Apply one delivery (retrying, or dead-lettering it), then acknowledge it."""
        self.stats.received += 1
        try:
            envelope = Envelope.from_json(delivery.body)
        except ValidationError as exc:
            # Retrying cannot make it readable; keep it for a human and move on.
            await self._dead_letter(None, delivery.type, _raw(delivery.body), exc, attempts=1)
            await delivery.ack()
            return
        failures = 0  # the attempts that count towards max_attempts
        outages = 0
        while True:
            try:
                if await self.apply(envelope):
                    self.stats.applied += 1
                else:
                    self.stats.duplicates += 1
                break
            except Exception as exc:
                if database_unavailable(exc):
                    # The database is down or overloaded, not the event wrong: waiting for it
                    # does not use up the event's attempts (a good event is not dead-lettered
                    # for an outage), however long it lasts.
                    outages += 1
                    delay = backoff_delay(outages, base=self.retry_base, cap=self.retry_cap)
                    reason = f"waits for the database ({exc})"
                else:
                    failures += 1
                    if failures >= self.max_attempts:
                        log.error(
                            "%s: %s %s failed %s times; dead-lettered",
                            self.name,
                            envelope.type,
                            envelope.id,
                            failures,
                        )
                        payload = envelope.model_dump(mode="json", exclude_none=True)
                        await self._dead_letter(envelope.id, envelope.type, payload, exc, failures)
                        break
                    delay = backoff_delay(failures, base=self.retry_base, cap=self.retry_cap)
                    reason = f"failed (attempt {failures}: {exc})"
                self.stats.retries += 1
                log.warning(
                    "%s: %s %s %s; retrying in %.2fs",
                    self.name,
                    envelope.type,
                    envelope.id,
                    reason,
                    delay,
                )
                if await sleep_unless(stop, delay):
                    await delivery.nack()  # shutting down: someone applies it later
                    return
        await delivery.ack()

    async def apply(self, envelope: Envelope, *, dead_letter_id: int | None = None) -> bool:
        """One attempt, in one unit of work: False if this consumer had already applied it.

        With ``dead_letter_id``, that dead letter is marked replayed in the same transaction.
        """
        # The event id is this operation's request id (a redelivery is the same request), in
        # the logs too; its span continues the trace of the operation that published it.
        request_id = REQUEST_ID.set(str(envelope.id))
        try:
            with event_span(
                f"process {envelope.type}",
                traceparent=envelope.traceparent,
                kind="consumer",
                attributes={
                    "messaging.operation.type": "process",
                    "messaging.consumer.group.name": self.name,
                    "messaging.message.id": str(envelope.id),
                    "cloudevents.event_type": envelope.type,
                },
            ):
                return await self._apply(envelope, dead_letter_id)
        finally:
            REQUEST_ID.reset(request_id)

    async def _apply(self, envelope: Envelope, dead_letter_id: int | None) -> bool:
        async with unit_of_work(
            self.database,
            actor=Actor.system(self.name),
            clock=self.clock,
            outbox=self.tables,
            request_id=str(envelope.id),
            traceparent=envelope.traceparent,
        ) as uow:
            first = bool(await self._claim(uow.session, [envelope]))
            if first:
                await self._run_handlers(uow, envelope)
            if dead_letter_id is not None:
                await _mark_replayed(uow.session, self.tables, dead_letter_id, uow.clock.now())
        return first

    async def _claim(self, session: AsyncSession, envelopes: Sequence[Envelope]) -> set[uuid.UUID]:
        """Write the inbox rows of ``envelopes`` (one INSERT); the ids that were new to this
        consumer. Inserting first (rather than checking) also makes a concurrent duplicate wait
        for this transaction and then find the row; an event twice in ``envelopes`` comes back
        once."""
        inbox = self.tables.inbox
        now = self.clock.now()
        rows = [{"consumer": self.name, "event_id": e.id, "processed_at": now} for e in envelopes]
        # The parameter sets go to one statement, compiled once for every batch (SQLAlchemy
        # sends them as one multi-row INSERT); a VALUES list built per batch was compiled anew
        # each time, most of a consumer's time in a burst.
        claim = pg_insert(inbox).on_conflict_do_nothing().returning(inbox.c.event_id)
        return set((await session.execute(claim, rows)).scalars())

    async def _run_handlers(self, uow: UnitOfWork, envelope: Envelope) -> None:
        await self._run(uow, self.handlers.get(envelope.type, ()), envelope)

    @staticmethod
    async def _run(uow: UnitOfWork, handlers: Sequence[Handler], envelope: Envelope) -> None:
        for handler in handlers:
            await handler(uow, envelope)

    async def replay_dead_letter(self, dead_letter_id: int) -> bool:
        """Run a dead-lettered event through this consumer's handlers again.

        Returns True if it was applied now, False if the inbox shows it had been applied since;
        either way the dead letter is marked replayed. A handler that still fails raises, and
        the dead letter stays as it was.
        """
        table = self.tables.dead_letters
        async with self.database.sessionmaker() as session:
            row = (
                await session.execute(select(table).where(table.c.id == dead_letter_id))
            ).one_or_none()
        if row is None:
            raise LookupError(f"dead letter {dead_letter_id} not found")
        if row.consumer != self.name:
            raise ValueError(f"dead letter {dead_letter_id} belongs to consumer {row.consumer!r}")
        if row.replayed_at is not None:
            raise ValueError(f"dead letter {dead_letter_id} was replayed at {row.replayed_at}")
        envelope = Envelope.model_validate(row.payload)
        return await self.apply(envelope, dead_letter_id=dead_letter_id)

    async def _dead_letter(
        self,
        event_id: uuid.UUID | None,
        event_type: str,
        payload: dict[str, Any],
        exc: BaseException,
        attempts: int,
    ) -> None:
        error = "".join(traceback.format_exception(exc))[-_MAX_ERROR:]
        table = self.tables.dead_letters
        async with self.database.sessionmaker() as session, session.begin():
            await session.execute(
                insert(table).values(
                    consumer=self.name,
                    event_id=event_id,
                    type=event_type[:100] or "unknown",
                    payload=payload,
                    error=error,
                    attempts=attempts,
                    failed_at=self.clock.now(),
                )
            )
        self.stats.dead_lettered += 1


async def _mark_replayed(
    session: AsyncSession, tables: EventTables, dead_letter_id: int, at: datetime
) -> None:
    table = tables.dead_letters
    result = await session.execute(
        update(table)
        .where(table.c.id == dead_letter_id, table.c.replayed_at.is_(None))
        .values(replayed_at=at)
    )
    if getattr(result, "rowcount", 1) != 1:
        # Someone replayed it at the same moment; roll this one back.
        raise ValueError(f"dead letter {dead_letter_id} was replayed concurrently")


async def list_dead_letters(
    session: AsyncSession,
    tables: EventTables,
    *,
    consumer: str | None = None,
    include_replayed: bool = False,
    limit: int = 100,
) -> list[DeadLetter]:
    """Dead letters, oldest first: those not replayed yet unless ``include_replayed``."""
    table = tables.dead_letters
    query = select(table).order_by(table.c.id).limit(limit)
    if consumer is not None:
        query = query.where(table.c.consumer == consumer)
    if not include_replayed:
        query = query.where(table.c.replayed_at.is_(None))
    rows = (await session.execute(query)).mappings().all()
    return [DeadLetter(**row) for row in rows]


def _raw(body: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        return parsed
    # PostgreSQL's JSON has no NUL character.
    return {"raw": body.decode("utf-8", errors="replace").replace("\x00", "\ufffd")}
