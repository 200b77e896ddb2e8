"""The audit trail: who changed what, when, captured once for every service, tamper-evident.

A service declares its ``audit_log`` next to its models and creates it in a migration::

    # app/db/events.py
    AUDIT = audit_table(TableModel.metadata)
    # alembic/versions/xxxx_audit_log.py
    def upgrade() -> None:
        create_audit_table(op, SCHEMA)

From then on every change of one of its ORM rows is recorded, whatever code made it:

* SQLAlchemy session hooks (installed when this module is imported, i.e. by the unit of work)
  read the attribute history of the new, changed and deleted instances after each flush, and
  the rows a ``delete``/``update`` statement touches, ORM (``update(Model)``) or Core
  (``update(Model.__table__)``) alike. ``create`` lists the
  row's values, ``update`` only the fields that changed (``state_change`` when one of them is
  ``status``), ``delete`` the values the row had.
* The entries wait in the session until it commits; then, in the same transaction, they are
  appended to the service's hash chain. A rolled-back transaction (or savepoint) writes none.
* Who, when and why come from the unit of work (:func:`bind_audit`): the token's ``sub`` and
  roles, the unit's clock, its request id, and the trace id (the active OpenTelemetry span's,
  else the request's ``traceparent``, else null).
* Values of fields named like ``*password*``, ``*secret*`` or ``*token*`` (and those a model
  lists in ``__audit_redact__``) are written as ``"[redacted]"``.

Not audited: Core tables — the outbox, inbox, dead letters, the audit log itself and the
employee projections (they are copies fed by events, not user actions) — and models that say
``__audit__ = False`` (the dashboard's read model, the login rate limit's bookkeeping).
Relationship collections (many-to-many links) are not diffed; a service records such a change
explicitly with :func:`record` (the employee service's ``role_change``).

Tamper evidence: each row stores ``prev_hash`` and ``hash`` = SHA-256 of a canonical JSON of its
content and ``prev_hash``. Appends take ``pg_advisory_xact_lock`` on a per-schema key before
reading the last hash, as the transaction's last step, so two transactions never chain to the
same row and the lock is held only for the insert and the commit. :func:`verify_chain` (the
``audit-verify`` command) finds an edited, removed or reordered row. Removing the newest rows
leaves a shorter chain that still verifies: compare the count with a copy kept elsewhere.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import hashlib
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    and_,
    event,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapper, ORMExecuteState, Session, SessionTransaction
from sqlalchemy.orm.attributes import get_history
from sqlalchemy.sql.elements import ClauseElement
from sqlmodel.main import default_registry

from .db import Database, SessionDep
from .paging import ListParamsDep, Page, Sorting, paginate
from .rbac import ALL, READ, Policy

AUDIT_LOG = "audit_log"
GENESIS_HASH = "0" * 64
REDACTED = "[redacted]"
_SECRET_NAME = re.compile(r"password|secret|token", re.IGNORECASE)
_CONTEXT = "tb_platform.audit.context"
_PENDING = "tb_platform.audit.pending"


# ---- the table ---------------------------------------------------------------------------------


def _audit_items() -> list[Any]:
    return [
        Column("id", BigInteger, autoincrement=True),
        Column("occurred_at", DateTime(timezone=True), nullable=False),
        Column("actor_sub", String(200), nullable=False),
        Column("actor_roles", JSONB, nullable=False),
        Column("entity", String(100), nullable=False),
        Column("entity_id", String(200), nullable=True),
        Column("action", String(40), nullable=False),
        Column("before", JSONB, nullable=True),
        Column("after", JSONB, nullable=True),
        Column("request_id", String(128), nullable=True),
        Column("trace_id", String(32), nullable=True),
        Column("prev_hash", String(64), nullable=False),
        Column("hash", String(64), nullable=False),
        PrimaryKeyConstraint("id", name=f"pk_{AUDIT_LOG}"),
        # The list's filters, each ending in id: the list is newest (highest id) first.
        Index(f"ix_{AUDIT_LOG}_entity_entity_id_id", "entity", "entity_id", "id"),
        Index(f"ix_{AUDIT_LOG}_actor_sub_id", "actor_sub", "id"),
        Index(f"ix_{AUDIT_LOG}_occurred_at", "occurred_at"),
    ]


def audit_table(metadata: MetaData) -> Table:
    """The ``audit_log`` table in ``metadata``'s schema; declaring it turns auditing on for
    every ORM model of that metadata."""
    return Table(AUDIT_LOG, metadata, *_audit_items())


def create_audit_table(op: Any, schema: str) -> None:
    """Create ``audit_log`` in an Alembic migration (exactly :func:`audit_table`)."""
    op.create_table(AUDIT_LOG, *_audit_items(), schema=schema)


def drop_audit_table(op: Any, schema: str) -> None:
    """Undo :func:`create_audit_table`."""
    op.drop_table(AUDIT_LOG, schema=schema)


def _audit_table_of(metadata: MetaData) -> Table | None:
    key = f"{metadata.schema}.{AUDIT_LOG}" if metadata.schema else AUDIT_LOG
    return metadata.tables.get(key)


def _lock_key(table: Table) -> str:
    return f"audit:{table.schema or 'public'}"


# ---- who, when, why ----------------------------------------------------------------------------


class _Clock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class AuditContext:
    """Who makes the session's changes; set by the unit of work (:func:`bind_audit`)."""

    actor_sub: str
    actor_roles: tuple[str, ...] = ()
    clock: Any = field(default_factory=_Clock)  # anything with ``now() -> aware datetime``
    request_id: str | None = None
    traceparent_trace_id: str | None = None


_UNKNOWN = AuditContext(actor_sub="system:unknown", actor_roles=("system",))


def bind_audit(session: Any, context: AuditContext) -> None:
    """Attribute the changes of ``session`` (an AsyncSession or Session) to ``context``."""
    session.info[_CONTEXT] = context


def current_trace_id(fallback: str | None = None) -> str | None:
    """The active OpenTelemetry span's trace id (32 hex digits), else ``fallback``."""
    try:
        from opentelemetry import trace
    except ImportError:  # the API is optional: without it there is no active span
        return fallback
    span_context = trace.get_current_span().get_span_context()
    if span_context.is_valid:
        return format(span_context.trace_id, "032x")
    return fallback


@dataclass
class _Entry:
    table: Table
    transaction: SessionTransaction | None
    occurred_at: dt.datetime
    actor_sub: str
    actor_roles: list[str]
    entity: str
    entity_id: str | None
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    request_id: str | None
    trace_id: str | None


# ---- values as JSON ----------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    """A column value as plain JSON that survives a JSONB round trip unchanged (so its hash
    does): decimals, floats, times and ids as strings."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, enum.Enum):
        return _json_value(value.value)
    if isinstance(value, (decimal.Decimal, float)):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds().__repr__()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"[{len(bytes(value))} bytes]"
    if isinstance(value, Mapping):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_json_value(v) for v in value]
    if isinstance(value, ClauseElement):
        return "[sql expression]"
    return str(value)


def redact(values: Mapping[str, Any], extra: Iterable[str] = ()) -> dict[str, Any]:
    """``values`` as JSON, with secrets (by name) replaced by ``"[redacted]"``."""
    names = set(extra)
    return {
        key: REDACTED if _SECRET_NAME.search(key) or key in names else _json_value(value)
        for key, value in values.items()
    }


# ---- capture -----------------------------------------------------------------------------------


def _audited(mapper: Mapper[Any]) -> Table | None:
    cls = mapper.class_
    if not getattr(cls, "__audit__", True):
        return None
    table = mapper.local_table
    metadata = getattr(table, "metadata", None)
    if metadata is None:
        return None
    return _audit_table_of(metadata)


def _entity(mapper: Mapper[Any]) -> str:
    return str(getattr(mapper.local_table, "name", mapper.class_.__name__))


def _entity_id(values: Mapping[str, Any], mapper: Mapper[Any]) -> str | None:
    keys = [mapper.get_property_by_column(column).key for column in mapper.primary_key]
    parts = [values.get(key) for key in keys]
    if all(part is None for part in parts):
        return None
    return "/".join("" if part is None else str(_json_value(part)) for part in parts)


def _column_keys(mapper: Mapper[Any]) -> list[str]:
    return [prop.key for prop in mapper.column_attrs]


def _new_entry(
    session: Session,
    table: Table,
    *,
    entity: str,
    entity_id: str | None,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    context: AuditContext | None = None,
) -> _Entry:
    context = context or session.info.get(_CONTEXT) or _UNKNOWN
    return _Entry(
        table=table,
        transaction=session.get_nested_transaction() or session.get_transaction(),
        occurred_at=context.clock.now().astimezone(dt.UTC),
        actor_sub=context.actor_sub,
        actor_roles=sorted(context.actor_roles),
        entity=entity,
        entity_id=entity_id,
        action=action,
        before=before,
        after=after,
        request_id=context.request_id,
        trace_id=current_trace_id(context.traceparent_trace_id),
    )


def _pending(session: Session) -> list[_Entry]:
    pending: list[_Entry] = session.info.setdefault(_PENDING, [])
    return pending


def _state_fields(cls: type) -> tuple[str, ...]:
    return tuple(getattr(cls, "__audit_state_fields__", ("status",)))


def _redacted_names(cls: type) -> tuple[str, ...]:
    return tuple(getattr(cls, "__audit_redact__", ()))


def _after_flush(session: Session, flush_context: Any) -> None:
    entries = _pending(session)
    for instance in session.new:
        state = inspect(instance)
        table = _audited(state.mapper)
        if table is None:
            continue
        values = {
            key: state.dict[key]
            for key in _column_keys(state.mapper)
            if state.dict.get(key) is not None
        }
        entries.append(
            _new_entry(
                session,
                table,
                entity=_entity(state.mapper),
                entity_id=_entity_id(state.dict, state.mapper),
                action="create",
                before=None,
                after=redact(values, _redacted_names(state.class_)),
            )
        )
    for instance in session.dirty:
        state = inspect(instance)
        table = _audited(state.mapper)
        if table is None:
            continue
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        for key in _column_keys(state.mapper):
            history = get_history(instance, key)
            if not history.has_changes():
                continue
            before[key] = history.deleted[0] if history.deleted else None
            after[key] = history.added[0] if history.added else None
        if not after:
            continue
        changed_state = any(key in after for key in _state_fields(state.class_))
        extra = _redacted_names(state.class_)
        entries.append(
            _new_entry(
                session,
                table,
                entity=_entity(state.mapper),
                entity_id=_entity_id(state.dict, state.mapper),
                action="state_change" if changed_state else "update",
                before=redact(before, extra),
                after=redact(after, extra),
            )
        )
    for instance in session.deleted:
        state = inspect(instance)
        table = _audited(state.mapper)
        if table is None:
            continue
        values = {key: state.dict[key] for key in _column_keys(state.mapper) if key in state.dict}
        entries.append(
            _new_entry(
                session,
                table,
                entity=_entity(state.mapper),
                entity_id=_entity_id(state.dict, state.mapper),
                action="delete",
                before=redact(values, _redacted_names(state.class_)),
                after=None,
            )
        )


def _rows_matching(state: ORMExecuteState, mapper: Mapper[Any], where: Any) -> list[dict[str, Any]]:
    columns = [prop.columns[0].label(prop.key) for prop in mapper.column_attrs]
    statement = select(*columns)
    if where is not None:
        statement = statement.where(where)
    return [dict(row._mapping) for row in state.session.execute(statement)]


def _mapper_of_table(statement: Any) -> Mapper[Any] | None:
    """The mapper of the table a Core ``update(table)``/``delete(table)`` names: such a statement
    changes the same rows as its ORM form, so it is audited the same way."""
    table = getattr(statement, "table", None)
    if not isinstance(table, Table):
        return None
    # Every service's models are SQLModel's, mapped in its one registry.
    for mapper in default_registry.mappers:
        if mapper.local_table is table:
            return mapper
    return None


def _do_orm_execute(state: ORMExecuteState) -> Any:
    """``delete(Model).where(...)`` / ``update(Model)...`` bypass the flush: read the rows they
    touch before (and, for an update, after) so that they are audited too."""
    if not (state.is_delete or state.is_update):
        return None
    mapper = state.bind_mapper or _mapper_of_table(state.statement)
    if mapper is None:
        return None
    table = _audited(mapper)
    if table is None:
        return None
    where = state.statement.whereclause  # type: ignore[attr-defined]
    before_rows = _rows_matching(state, mapper, where)
    result = state.invoke_statement()
    session = state.session
    extra = _redacted_names(mapper.class_)
    if state.is_delete:
        for row in before_rows:
            _pending(session).append(
                _new_entry(
                    session,
                    table,
                    entity=_entity(mapper),
                    entity_id=_entity_id(row, mapper),
                    action="delete",
                    before=redact(row, extra),
                    after=None,
                )
            )
        return result
    keys = [mapper.get_property_by_column(column).key for column in mapper.primary_key]
    for row in before_rows:
        same_row = and_(
            *(column == row[key] for column, key in zip(mapper.primary_key, keys, strict=True))
        )
        now = _rows_matching(state, mapper, same_row)
        if not now:
            continue
        changed = sorted(key for key, value in now[0].items() if row.get(key) != value)
        if not changed:
            continue
        _pending(session).append(
            _new_entry(
                session,
                table,
                entity=_entity(mapper),
                entity_id=_entity_id(row, mapper),
                action="state_change"
                if set(changed) & set(_state_fields(mapper.class_))
                else "update",
                before=redact({key: row[key] for key in changed}, extra),
                after=redact({key: now[0][key] for key in changed}, extra),
            )
        )
    return result


def _after_soft_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    """Forget what the rolled-back transaction (or savepoint), and those inside it, recorded."""
    pending = session.info.get(_PENDING)
    if not pending:
        return

    def inside(transaction: SessionTransaction | None) -> bool:
        while transaction is not None:
            if transaction is previous_transaction:
                return True
            transaction = transaction.parent
        return False

    session.info[_PENDING] = [entry for entry in pending if not inside(entry.transaction)]


def _before_commit(session: Session) -> None:
    # Commit flushes after this hook; flushing here first lets the last changes be recorded.
    session.flush()
    pending = session.info.pop(_PENDING, None)
    if pending:
        _append(session, pending)


def _after_commit(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _canonical(content: Mapping[str, Any]) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def row_hash(content: Mapping[str, Any], prev_hash: str) -> str:
    """SHA-256 over the canonical JSON of an audit row's content and the previous row's hash."""
    return hashlib.sha256(_canonical({**content, "prev_hash": prev_hash})).hexdigest()


def _content(row: Mapping[str, Any]) -> dict[str, Any]:
    occurred_at: dt.datetime = row["occurred_at"]
    return {
        "occurred_at": occurred_at.astimezone(dt.UTC).isoformat(),
        "actor_sub": row["actor_sub"],
        "actor_roles": row["actor_roles"],
        "entity": row["entity"],
        "entity_id": row["entity_id"],
        "action": row["action"],
        "before": row["before"],
        "after": row["after"],
        "request_id": row["request_id"],
        "trace_id": row["trace_id"],
    }


def _append(session: Session, entries: list[_Entry]) -> None:
    connection = session.connection()
    by_table: dict[Table, list[_Entry]] = {}
    for entry in entries:
        by_table.setdefault(entry.table, []).append(entry)
    for table, rows in by_table.items():
        # Serialises appends: whoever holds the lock reads the last hash and chains to it; the
        # next transaction waits until this one has committed, then sees its rows.
        connection.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": _lock_key(table)}
        )
        previous = connection.execute(
            select(table.c.hash).order_by(table.c.id.desc()).limit(1)
        ).scalar_one_or_none()
        prev_hash = previous or GENESIS_HASH
        values = []
        for entry in rows:
            row = {
                "occurred_at": entry.occurred_at,
                "actor_sub": entry.actor_sub[:200],
                "actor_roles": entry.actor_roles,
                "entity": entry.entity,
                "entity_id": entry.entity_id,
                "action": entry.action,
                "before": entry.before,
                "after": entry.after,
                "request_id": entry.request_id,
                "trace_id": entry.trace_id,
            }
            digest = row_hash(_content(row), prev_hash)
            values.append({**row, "prev_hash": prev_hash, "hash": digest})
            prev_hash = digest
        # One statement (the lock is held for as short as can be); PostgreSQL takes the ids of
        # a VALUES list in its order, so id order is chain order.
        connection.execute(insert(table).values(values))


event.listen(Session, "after_flush", _after_flush)
event.listen(Session, "do_orm_execute", _do_orm_execute)
event.listen(Session, "after_soft_rollback", _after_soft_rollback)
event.listen(Session, "before_commit", _before_commit)
event.listen(Session, "after_commit", _after_commit)


# ---- explicit entries --------------------------------------------------------------------------


def record(
    session: Any,
    table: Table,
    *,
    entity: str,
    entity_id: str | int | None,
    action: str,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    context: AuditContext | None = None,
) -> None:
    """Add an entry the hooks cannot see (a login, a change of a many-to-many link) to the
    session's transaction; it is written when the transaction commits, never if it rolls back.

    ``context`` overrides who acted (a login is the employee's, not the anonymous caller's).
    """
    sync: Session = getattr(session, "sync_session", session)
    _pending(sync).append(
        _new_entry(
            sync,
            table,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            action=action,
            before=None if before is None else redact(before),
            after=None if after is None else redact(after),
            context=context,
        )
    )


async def record_now(
    database: Database,
    table: Table,
    *,
    context: AuditContext,
    entity: str,
    entity_id: str | int | None,
    action: str,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    """Write one entry in a short transaction of its own: for what happens although the
    operation's own transaction does not commit (a failed login)."""
    async with database.sessionmaker() as session:
        bind_audit(session, context)
        record(
            session,
            table,
            entity=entity,
            entity_id=entity_id,
            action=action,
            before=before,
            after=after,
        )
        await session.commit()


# ---- verification ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    """What :func:`verify_chain` found: ``intact`` rows, and the first broken one if any."""

    intact: int
    broken_id: int | None = None
    reason: str | None = None
    head: ChainHead | None = None  # the last intact row

    @property
    def ok(self) -> bool:
        return self.broken_id is None


@dataclass(frozen=True)
class ChainHead:
    """A row of the chain noted down (``id:hash``) to check later that it is still there.

    A chain whose newest rows were deleted still verifies; a head kept elsewhere (printed by
    ``audit-verify``, stored with a backup) does not match it any more.
    """

    id: int
    hash: str

    def __str__(self) -> str:
        return f"{self.id}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> ChainHead:
        number, _, digest = text.partition(":")
        if not number.isdigit() or not re.fullmatch(r"[0-9a-f]{64}", digest):
            raise ValueError(f"not a chain head (id:sha256-hex): {text!r}")
        return cls(id=int(number), hash=digest)


async def verify_chain(
    database: Database, table: Table, *, batch: int = 1000, expect: ChainHead | None = None
) -> ChainReport:
    """Walk ``table`` in id order and recompute every hash; stop at the first broken row.

    With ``expect``, a head noted earlier, the chain must still hold that row unchanged.
    """
    report = await _walk_chain(database, table, batch=batch)
    if expect is None or not report.ok:
        return report
    head = report.head
    if head is None or head.id < expect.id:
        return ChainReport(
            intact=report.intact,
            broken_id=expect.id,
            reason=f"the chain ends at row {head.id if head else 0}, before the expected head: "
            "its newest rows were removed",
            head=head,
        )
    async with database.sessionmaker() as session:
        found = await session.scalar(select(table.c.hash).where(table.c.id == expect.id))
    if found != expect.hash:
        return ChainReport(
            intact=report.intact,
            broken_id=expect.id,
            reason="the expected head's hash differs: the chain was rewritten from there on",
            head=head,
        )
    return report


async def _walk_chain(database: Database, table: Table, *, batch: int) -> ChainReport:
    prev_hash = GENESIS_HASH
    previous_id: int | None = None
    intact = 0
    last_id = 0
    async with database.sessionmaker() as session:
        while True:
            rows = (
                (
                    await session.execute(
                        select(table).where(table.c.id > last_id).order_by(table.c.id).limit(batch)
                    )
                )
                .mappings()
                .all()
            )
            if not rows:
                head = None if previous_id is None else ChainHead(id=previous_id, hash=prev_hash)
                return ChainReport(intact=intact, head=head)
            for row in rows:
                if row["prev_hash"] != prev_hash:
                    after = f"row {previous_id}" if previous_id is not None else "the start"
                    return ChainReport(
                        intact=intact,
                        broken_id=row["id"],
                        reason=f"its prev_hash does not match the hash of {after}: a row before "
                        "it was removed, inserted or changed",
                    )
                if row_hash(_content(dict(row)), row["prev_hash"]) != row["hash"]:
                    return ChainReport(
                        intact=intact,
                        broken_id=row["id"],
                        reason="its content does not match its hash: the row was edited",
                    )
                prev_hash = row["hash"]
                previous_id = last_id = row["id"]
                intact += 1


# ---- the API -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditTrail:
    """A service's audit log and the roles that may read it (``admin`` always may)."""

    table: Table
    readers: frozenset[str] = frozenset({"admin"})

    def __post_init__(self) -> None:
        object.__setattr__(self, "readers", frozenset(self.readers) | {"admin"})


class AuditEntryPublic(BaseModel):
    """One audited change: who, when, what, the fields before and after, and its chain link."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    occurred_at: dt.datetime
    actor_sub: str
    actor_roles: list[str]
    entity: str
    entity_id: str | None
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    request_id: str | None
    trace_id: str | None
    prev_hash: str
    hash: str


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def audit_router(trail: AuditTrail) -> APIRouter:
    """``GET /audit``: the service's audit log, newest first, for ``trail.readers``."""
    router = APIRouter(prefix="/audit", tags=["audit"])
    table = trail.table
    sorting = Sorting(fields={"id": table.c.id}, default="-id", tiebreaker=table.c.id)
    # The readers as a permission table of its own, so that the rule is data like the services'.
    reader = Policy({role: {"audit": {READ: ALL}} for role in trail.readers}).require("audit", READ)

    # A route dependency, not a parameter: this module's annotations are strings, and FastAPI
    # resolves them in the module's globals, where this closure's ``reader`` is not.
    @router.get(
        "",
        response_model=Page[AuditEntryPublic],
        summary="The audit trail",
        dependencies=[Depends(reader)],
    )
    async def list_audit(
        session: SessionDep,
        params: ListParamsDep,
        entity: Annotated[str | None, Query(max_length=100, description="Table name")] = None,
        entity_id: Annotated[str | None, Query(max_length=200)] = None,
        actor: Annotated[str | None, Query(max_length=200, description="Token sub")] = None,
        from_: Annotated[
            dt.datetime | None, Query(alias="from", description="occurred_at ≥ this")
        ] = None,
        to: Annotated[dt.datetime | None, Query(description="occurred_at < this")] = None,
    ) -> Page[AuditEntryPublic]:
        """Who changed what and when, newest first (keyset-paged with ``cursor``)."""
        statement = select(table)
        if entity is not None:
            statement = statement.where(table.c.entity == entity)
        if entity_id is not None:
            statement = statement.where(table.c.entity_id == entity_id)
        if actor is not None:
            statement = statement.where(table.c.actor_sub == actor)
        if from_ is not None:
            statement = statement.where(table.c.occurred_at >= _aware(from_))
        if to is not None:
            statement = statement.where(table.c.occurred_at < _aware(to))
        result = await paginate(session, statement, params=params, sorting=sorting, as_rows=True)
        return result.to_page(AuditEntryPublic.model_validate)

    return router
