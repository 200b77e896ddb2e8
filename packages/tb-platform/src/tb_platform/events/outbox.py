"""The event tables each service keeps in its own schema: outbox, inbox and dead letters.

- ``outbox``: events written in the same transaction as the business change; the relay
  publishes them after commit and marks them ``published_at``.
- ``inbox``: the events each consumer has applied, so a redelivered event has effect once.
- ``dead_letters``: events a consumer failed to apply ``max_attempts`` times, kept for a replay.

A service declares them once next to its models and creates them in an Alembic migration::

    # app/db/events.py
    EVENTS = event_tables(TableModel.metadata, source="employee-service")

    # alembic/versions/xxxx_event_tables.py
    def upgrade() -> None:
        create_event_tables(op, SCHEMA)

    def downgrade() -> None:
        drop_event_tables(op, SCHEMA)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    bindparam,
    cast,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from ..observability.tracing import current_traceparent
from .envelope import Envelope

OUTBOX = "outbox"
INBOX = "inbox"
DEAD_LETTERS = "dead_letters"


def notify_channel(schema: str | None) -> str:
    """The LISTEN/NOTIFY channel on which an insert into ``schema``'s outbox is announced."""
    return f"{schema or 'public'}_outbox"


# Each table is described once, as a list of fresh schema items, so that the models
# (``outbox_table``) and the migration (``create_event_tables``) cannot drift apart.


def _outbox_items() -> list[Any]:
    return [
        Column("id", BigInteger, autoincrement=True),
        Column("event_id", Uuid, nullable=False),
        Column("type", String(100), nullable=False),
        Column("subject", String(200), nullable=False),
        Column("payload", JSONB, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True), nullable=True),
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        Column("last_error", Text, nullable=True),
        Column(
            "next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()
        ),
        PrimaryKeyConstraint("id", name=f"pk_{OUTBOX}"),
        UniqueConstraint("event_id", name=f"uq_{OUTBOX}_event_id"),
        # The relay's scan: unpublished rows in id order, without walking the published history.
        Index(f"ix_{OUTBOX}_unpublished", "id", postgresql_where=text("published_at IS NULL")),
    ]


def _inbox_items() -> list[Any]:
    return [
        Column("consumer", String(200), nullable=False),
        Column("event_id", Uuid, nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        PrimaryKeyConstraint("consumer", "event_id", name=f"pk_{INBOX}"),
    ]


def _dead_letter_items() -> list[Any]:
    return [
        Column("id", BigInteger, autoincrement=True),
        Column("consumer", String(200), nullable=False),
        # NULL when the message could not even be read as an event.
        Column("event_id", Uuid, nullable=True),
        Column("type", String(100), nullable=False),
        Column("payload", JSONB, nullable=False),
        Column("error", Text, nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("failed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("replayed_at", DateTime(timezone=True), nullable=True),
        PrimaryKeyConstraint("id", name=f"pk_{DEAD_LETTERS}"),
        Index(f"ix_{DEAD_LETTERS}_consumer_event_id", "consumer", "event_id"),
    ]


def outbox_table(metadata: MetaData) -> Table:
    """The ``outbox`` table in ``metadata``'s schema."""
    return Table(OUTBOX, metadata, *_outbox_items())


def inbox_table(metadata: MetaData) -> Table:
    """The ``inbox`` table (consumer, event_id) in ``metadata``'s schema."""
    return Table(INBOX, metadata, *_inbox_items())


def dead_letter_table(metadata: MetaData) -> Table:
    """The ``dead_letters`` table in ``metadata``'s schema."""
    return Table(DEAD_LETTERS, metadata, *_dead_letter_items())


@dataclass(frozen=True)
class EventTables:
    """One service's event tables and the name it publishes under (the envelopes' ``source``)."""

    source: str
    outbox: Table
    inbox: Table
    dead_letters: Table

    @property
    def schema(self) -> str | None:
        """The service's schema, where the three tables live."""
        return self.outbox.schema

    @property
    def channel(self) -> str:
        """The NOTIFY channel the relay listens on."""
        return notify_channel(self.schema)

    async def add(self, session: AsyncSession, envelope: Envelope) -> None:
        """Write ``envelope`` to the outbox inside ``session``'s transaction.

        It commits with the business change or not at all; the relay publishes it after commit.
        """
        envelope = in_current_trace(envelope)
        await session.execute(
            insert(self.outbox).values(
                event_id=envelope.id,
                type=envelope.type,
                subject=envelope.subject,
                payload=envelope.model_dump(mode="json", exclude_none=True),
            )
        )

    async def add_many(self, session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
        """Write ``envelopes`` to the outbox in one INSERT, in the order given.

        For bulk operations (an import of thousands of rows): one statement with four array
        parameters, whatever the number of events, and one wake-up of the relay.
        """
        if not envelopes:
            return
        envelopes = [in_current_trace(envelope) for envelope in envelopes]
        columns = ("event_id", "type", "subject", "payload")
        arrays = {
            "event_id": ([str(e.id) for e in envelopes], Uuid),
            "type": ([e.type for e in envelopes], String),
            "subject": ([e.subject for e in envelopes], String),
            "payload": ([e.to_json().decode() for e in envelopes], Text),
        }
        rows = (
            func.unnest(
                *(
                    cast(bindparam(f"outbox_{name}", values, type_=ARRAY(Text)), ARRAY(kind))
                    for name, (values, kind) in arrays.items()
                )
            )
            .table_valued(*columns, with_ordinality="position")
            .render_derived(name="events")
        )
        await session.execute(
            insert(self.outbox).from_select(
                list(columns),
                select(
                    rows.c.event_id, rows.c.type, rows.c.subject, cast(rows.c.payload, JSONB)
                ).order_by(rows.c.position),
            )
        )


def in_current_trace(envelope: Envelope) -> Envelope:
    """``envelope`` carrying the context of the span that writes it, when tracing is on: the
    consumer's span becomes that span's child (same trace id, producer → consumer).

    Only within the envelope's own trace: an envelope that already belongs to another trace (an
    event passed on as it is) keeps it.
    """
    traceparent = current_traceparent()
    if traceparent is None or traceparent == envelope.traceparent:
        return envelope
    if envelope.traceparent is not None and envelope.trace_id != traceparent.split("-")[1]:
        return envelope
    return envelope.model_copy(update={"traceparent": traceparent})


def event_tables(metadata: MetaData, *, source: str) -> EventTables:
    """Declare the outbox, inbox and dead-letter tables in ``metadata`` (the service's schema).

    ``source`` names the producing service in every event it publishes (``employee-service``).
    """
    return EventTables(
        source=source,
        outbox=outbox_table(metadata),
        inbox=inbox_table(metadata),
        dead_letters=dead_letter_table(metadata),
    )


def _notify_ddl(schema: str) -> Iterator[str]:
    # A statement-level trigger: one wake-up per INSERT statement, delivered at commit (and not
    # at all on rollback), so the relay publishes at once instead of waiting for its next poll.
    yield (
        f'CREATE OR REPLACE FUNCTION "{schema}".notify_outbox() RETURNS trigger '
        "LANGUAGE plpgsql AS $$ BEGIN "
        "PERFORM pg_notify(TG_TABLE_SCHEMA || '_outbox', ''); RETURN NULL; END $$"
    )
    yield (
        f'CREATE TRIGGER {OUTBOX}_notify AFTER INSERT ON "{schema}".{OUTBOX} '
        f'FOR EACH STATEMENT EXECUTE FUNCTION "{schema}".notify_outbox()'
    )


def create_event_tables(op: Any, schema: str) -> None:
    """Create the event tables and the outbox's NOTIFY trigger; call it in an Alembic migration.

    ``op`` is ``alembic.op`` (or an ``alembic.operations.Operations``). The tables are exactly
    those of :func:`event_tables`, so autogenerate finds nothing to change afterwards.
    """
    for name, items in (
        (OUTBOX, _outbox_items()),
        (INBOX, _inbox_items()),
        (DEAD_LETTERS, _dead_letter_items()),
    ):
        op.create_table(name, *items, schema=schema)
    for statement in _notify_ddl(schema):
        op.execute(statement)


def drop_event_tables(op: Any, schema: str) -> None:
    """Undo :func:`create_event_tables` (the downgrade of that migration)."""
    op.execute(f'DROP TRIGGER IF EXISTS {OUTBOX}_notify ON "{schema}".{OUTBOX}')
    op.execute(f'DROP FUNCTION IF EXISTS "{schema}".notify_outbox()')
    for name in (DEAD_LETTERS, INBOX, OUTBOX):
        op.drop_table(name, schema=schema)
