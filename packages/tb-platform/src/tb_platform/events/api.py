"""The dead letters of a service over HTTP: list them, replay one (admin only).

Every service that consumes events includes :func:`dead_letter_router` (``create_service_app``
does it when given the service's :class:`~tb_platform.events.worker.WorkerSpec`):

* ``GET /api/v1/events/dead?consumer=&include_replayed=`` — the events a consumer gave up on,
  with the last error, paged like every list;
* ``POST /api/v1/events/dead/{id}/replay`` — run it through its consumer's handlers again (after
  the fault is fixed). 200 with the dead letter, now ``replayed_at``; 409 when it was replayed
  before; 422 (``dead_letter_failed``) with the error when the handler still fails, and the dead
  letter stays as it was.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncGenerator, Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from ..db import Database, SessionDep
from ..errors import AppError, Conflict, NotFound
from ..paging import ListParamsDep, Page, Sorting, paginate
from ..rbac import ALL, READ, WRITE, Grant, Policy
from .consumer import Consumer
from .envelope import Envelope
from .transport import Delivery, Transport
from .worker import WorkerSpec


class DeadLetterPublic(BaseModel):
    """An event a consumer gave up on."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    consumer: str
    event_id: uuid.UUID | None
    type: str
    payload: dict[str, Any]
    error: str
    attempts: int
    failed_at: dt.datetime
    replayed_at: dt.datetime | None


class ReplayFailed(AppError):
    status_code = 422
    code = "dead_letter_failed"


# Only an admin reads or replays dead letters: a permission table of its own, as data.
_POLICY = Policy({"admin": {"dead_letters": {READ: ALL, WRITE: ALL}}})
ReadDeadLetters = Annotated[Grant, Depends(_POLICY.require("dead_letters", READ))]
ReplayDeadLetters = Annotated[Grant, Depends(_POLICY.require("dead_letters", WRITE))]


class _ReplayOnly(Transport):
    """Replaying runs handlers in this process; it never talks to the broker."""

    async def publish(self, envelope: Envelope) -> None:
        raise RuntimeError("a replay does not publish")

    async def declare(self, group: str, types: Iterable[str]) -> None:
        raise RuntimeError("a replay does not subscribe")

    def subscribe(
        self,
        group: str,
        consumer: str,
        types: Iterable[str],
        *,
        stop: asyncio.Event | None = None,
    ) -> AsyncGenerator[Delivery, None]:
        raise RuntimeError("a replay does not subscribe")

    async def close(self) -> None:
        return None


def dead_letter_router(spec: WorkerSpec) -> APIRouter:
    """The ``/events/dead`` routes of a service whose worker runs ``spec``."""
    router = APIRouter(prefix="/events/dead", tags=["events"])
    table = spec.tables.dead_letters
    sorting = Sorting(
        fields={"id": table.c.id, "failed_at": table.c.failed_at},
        default="-id",
        tiebreaker=table.c.id,
    )

    @router.get("", response_model=Page[DeadLetterPublic])
    async def list_dead_letters(
        _: ReadDeadLetters,
        session: SessionDep,
        params: ListParamsDep,
        consumer: Annotated[str | None, Query(max_length=200)] = None,
        include_replayed: bool = False,
    ) -> Page[DeadLetterPublic]:
        """Dead letters, newest first; replayed ones only with ``include_replayed=true``."""
        statement = select(table)
        if consumer is not None:
            statement = statement.where(table.c.consumer == consumer)
        if not include_replayed:
            statement = statement.where(table.c.replayed_at.is_(None))
        result = await paginate(session, statement, params=params, sorting=sorting, as_rows=True)
        return result.to_page(DeadLetterPublic.model_validate)

    @router.post(
        "/{dead_letter_id}/replay",
        response_model=DeadLetterPublic,
        responses={404: {"description": "No such dead letter"}},
    )
    async def replay(
        dead_letter_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
        _: ReplayDeadLetters,
        request: Request,
    ) -> DeadLetterPublic:
        """Apply the event again through its consumer (once the fault is fixed)."""
        database: Database = request.app.state.database
        async with database.sessionmaker() as session:
            row = (
                await session.execute(select(table).where(table.c.id == dead_letter_id))
            ).one_or_none()
        if row is None:
            raise NotFound(f"Dead letter {dead_letter_id} not found")
        if row.replayed_at is not None:
            raise Conflict(
                f"Dead letter {dead_letter_id} was replayed at {row.replayed_at.isoformat()}",
                code="already_replayed",
            )
        handlers = spec.consumers.get(row.consumer)
        if handlers is None:
            raise Conflict(
                f"No consumer {row.consumer!r} in this service any more", code="unknown_consumer"
            )
        consumer = Consumer(
            row.consumer, _ReplayOnly(), database, handlers, tables=spec.tables, max_attempts=1
        )
        try:
            await consumer.replay_dead_letter(dead_letter_id)
        except ValueError as exc:  # replayed meanwhile by someone else
            raise Conflict(str(exc), code="already_replayed") from exc
        except Exception as exc:
            raise ReplayFailed(f"The event still fails: {type(exc).__name__}: {exc}") from exc
        async with database.sessionmaker() as session:
            replayed = (
                await session.execute(select(table).where(table.c.id == dead_letter_id))
            ).one()
        return DeadLetterPublic.model_validate(replayed)

    return router
