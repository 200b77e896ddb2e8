"""The unit of work: one transaction per operation, who does it, what time it is, what it publishes.

Every operation that changes data — an HTTP request, a CLI command, an event handler, the relay —
runs in one :class:`UnitOfWork`. Domain functions receive it, change rows through ``uow.session``,
read the time from ``uow.clock``, record ``uow.actor.sub`` as ``created_by``, and publish
integration events with ``await uow.publish(...)``. The event is written to the outbox in the same
transaction, so it leaves the service if and only if the change was committed.

Requests get it from a FastAPI dependency; everything else opens one with
``async with unit_of_work(database, actor=Actor.system("import"), outbox=EVENTS) as uow:``.
Either way it commits once, at the end, or rolls back.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from .audit import AuditContext, bind_audit
from .db import Database, SessionDep, after_commit, run_after_commit
from .errors import Unauthorized
from .events.catalog import EventData
from .events.envelope import Envelope, valid_traceparent
from .events.outbox import EventTables
from .security import Principal, TokenService

REQUEST_ID_HEADER = "X-Request-ID"
# A client's request id is kept only if it is short and plain: it ends up in logs and events.
REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:/+=-]{1,128}$")


@dataclass(frozen=True, slots=True)
class Actor:
    """Who performs the operation: a user from their token, or a named part of the system."""

    sub: str
    roles: frozenset[str] = frozenset()
    employee_id: int | None = None

    @classmethod
    def from_principal(cls, principal: Principal) -> Actor:
        """The caller of a request, from their verified token."""
        return cls(sub=principal.sub, roles=principal.roles, employee_id=principal.employee_id)

    @classmethod
    def system(cls, name: str) -> Actor:
        """A part of the system acting on its own: a CLI command, the relay, a consumer."""
        return cls(sub=f"system:{name}", roles=frozenset({"system"}))

    @classmethod
    def anonymous(cls) -> Actor:
        """A request without a valid token (only reaches endpoints that need none, e.g. login)."""
        return cls(sub="anonymous")

    @property
    def is_system(self) -> bool:
        """True for the system's own actors (``Actor.system``), not for a person."""
        return self.sub.startswith("system:")

    def has_role(self, role: str) -> bool:
        """Whether the actor holds ``role``."""
        return role in self.roles


class Clock:
    """The time an operation sees; the system clock, in UTC."""

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        return datetime.now(UTC)

    def today(self) -> date:
        """Today's date in UTC (the business date the services record)."""
        return self.now().date()


class FrozenClock(Clock):
    """A clock that stands still until told to move: for tests of dates and deadlines."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FrozenClock needs a timezone-aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        """Jump to ``at`` (timezone-aware)."""
        if at.tzinfo is None:
            raise ValueError("FrozenClock needs a timezone-aware datetime")
        self._at = at.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        """Move forward (or back, with a negative delta)."""
        self._at += delta


SYSTEM_CLOCK = Clock()


def new_request_id() -> str:
    """A fresh request id (UUID4, as text) for an operation nobody gave one.

    Made from 16 random bytes directly: half the cost of ``str(uuid.uuid4())``, and every
    request without an ``X-Request-ID`` pays it.
    """
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # the RFC 4122 variant
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass(eq=False)
class UnitOfWork:
    """One operation's transaction and context. Domain functions flush; they never commit.

    ``events`` lists what this unit published; the rows are already in the outbox (in the same
    transaction), and the relay sends them once the unit commits.
    """

    session: AsyncSession
    actor: Actor
    clock: Clock = field(default_factory=Clock)
    request_id: str = field(default_factory=new_request_id)
    traceparent: str | None = None
    outbox: EventTables | None = None
    events: list[Envelope] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Every change made through this unit's session is audited as this unit's actor, at its
        # clock's time, under its request id (tb_platform.audit).
        bind_audit(self.session, self.audit_context())

    def audit_context(self) -> AuditContext:
        """Who, when and why, as the audit trail records this unit's changes."""
        return AuditContext(
            actor_sub=self.actor.sub,
            actor_roles=tuple(sorted(self.actor.roles)),
            clock=self.clock,
            request_id=self.request_id,
            traceparent_trace_id=self.trace_id,
        )

    @property
    def trace_id(self) -> str | None:
        """The W3C trace id of the operation, when the caller sent a ``traceparent``."""
        return self.traceparent.split("-")[1] if self.traceparent else None

    def after_commit(self, hook: Callable[[], Awaitable[None]]) -> None:
        """Run ``hook`` once this unit has committed (never if it rolls back)."""
        after_commit(self.session, hook)

    def _envelope(self, event: EventData | Envelope, subject: str | None = None) -> Envelope:
        if self.outbox is None:
            raise RuntimeError("this unit of work has no outbox: pass outbox=EventTables")
        if isinstance(event, Envelope):
            return event
        return Envelope.create(
            source=self.outbox.source,
            data=event,
            subject=subject,
            time=self.clock.now(),
            traceparent=self.traceparent,
        )

    async def publish_many(self, events: Sequence[EventData | Envelope]) -> list[Envelope]:
        """Publish ``events`` with one INSERT into the outbox (an import of thousands of rows);
        each envelope is what :meth:`publish` would build, in the same order."""
        envelopes = [self._envelope(event) for event in events]
        if envelopes:
            assert self.outbox is not None  # _envelope refused a unit without one
            await self.outbox.add_many(self.session, envelopes)
            self.events.extend(envelopes)
        return envelopes

    async def publish(self, event: EventData | Envelope, *, subject: str | None = None) -> Envelope:
        """Write ``event`` to the outbox in this unit's transaction and return its envelope.

        Given catalog data (``EmployeeDeleted(...)``), the envelope is built here: ``source`` is
        the service's, ``time`` the unit's clock, ``subject`` the data's id unless given, and the
        unit's ``traceparent`` goes along. A ready :class:`Envelope` is written as it is.
        """
        envelope = self._envelope(event, subject)
        assert self.outbox is not None  # _envelope refused a unit without one
        await self.outbox.add(self.session, envelope)
        self.events.append(envelope)
        return envelope


@asynccontextmanager
async def unit_of_work(
    database: Database,
    *,
    actor: Actor,
    clock: Clock | None = None,
    outbox: EventTables | None = None,
    request_id: str | None = None,
    traceparent: str | None = None,
) -> AsyncIterator[UnitOfWork]:
    """A unit of work outside a request (CLI commands, the relay, event consumers).

    Commits once when the block ends, rolls back if it raises::

        async with unit_of_work(db, actor=Actor.system("import"), outbox=EVENTS) as uow:
            await create_employee(uow, data=...)
    """
    async with database.sessionmaker() as session:
        uow = UnitOfWork(
            session=session,
            actor=actor,
            clock=clock or SYSTEM_CLOCK,
            request_id=request_id or new_request_id(),
            traceparent=valid_traceparent(traceparent),
            outbox=outbox,
        )
        try:
            yield uow
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()
            await run_after_commit(session)


def _request_id(value: str | None) -> str:
    return value if value and REQUEST_ID_PATTERN.match(value) else new_request_id()


def _actor_of(request: Request) -> Actor:
    # The endpoint's own auth dependency answers 401 for a bad token; here a missing or invalid
    # token just means nobody in particular (the endpoints that accept that need no identity).
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    tokens: TokenService | None = getattr(request.app.state, "tokens", None)
    if scheme.lower() != "bearer" or not token or tokens is None:
        return Actor.anonymous()
    try:
        return Actor.from_principal(tokens.verify(token.strip()))
    except Unauthorized:
        return Actor.anonymous()


def unit_of_work_dependency(outbox: EventTables | None) -> Callable[..., AsyncIterator[UnitOfWork]]:
    """The FastAPI dependency giving each request its unit of work, for a service's ``deps.py``::

        UnitOfWorkDep = Annotated[
            UnitOfWork, Depends(unit_of_work_dependency(EVENTS), scope="function")
        ]

    The unit wraps the request's one session (``SessionDep``), which commits once before the
    response is sent — so an endpoint may use both and still has one transaction. The actor comes
    from the bearer token, the request id from ``X-Request-ID`` (echoed back; a UUID4 when absent
    or unusable), the trace from ``traceparent``, and the clock from ``app.state.clock`` when a
    test set one.
    """

    async def dependency(
        request: Request, response: Response, session: SessionDep
    ) -> AsyncIterator[UnitOfWork]:
        request_id = _request_id(request.headers.get(REQUEST_ID_HEADER))
        response.headers[REQUEST_ID_HEADER] = request_id
        clock: Any = getattr(request.app.state, "clock", None)
        yield UnitOfWork(
            session=session,
            actor=_actor_of(request),
            clock=clock if isinstance(clock, Clock) else SYSTEM_CLOCK,
            request_id=request_id,
            traceparent=valid_traceparent(request.headers.get("traceparent")),
            outbox=outbox,
        )

    return dependency
