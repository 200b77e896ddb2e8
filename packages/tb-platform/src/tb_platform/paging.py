"""The one paging shape and the one list helper every list endpoint uses.

``?limit=&offset=`` answers ``{"items", "total", "limit", "offset", "next_cursor": null}``;
``?cursor=`` (keyset) answers ``{"items", "next_cursor", "limit", "total": null}`` and stays fast
however deep the page, because it seeks on ``(sort column, id)`` through an index instead of
counting rows past an offset. ``sort=field`` sorts ascending, ``sort=-field`` descending.
A list refuses query parameters it does not declare (:mod:`tb_platform.query_params`).
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import (
    Column,
    ColumnElement,
    Date,
    DateTime,
    Integer,
    Numeric,
    Select,
    String,
    TypeDecorator,
    and_,
    func,
    or_,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.elements import ClauseElement

from .db import fetch_rows
from .errors import InvalidField
from .query_params import reject_unknown_query_params
from .types import PG_INT_MAX

# A column a list sorts and seeks on: a model attribute, or a Core table's column.
SortColumn = InstrumentedAttribute[Any] | Column[Any]

T = TypeVar("T")
R = TypeVar("R")

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
# Lists up to this many rows are counted exactly; beyond it, counting every row would cost more
# than the page itself (a million assets), so ``total`` is the planner's estimate, flagged.
EXACT_TOTAL_UP_TO = 10_000


class Page(BaseModel, Generic[T]):
    """A page of a list: ``items`` with ``total`` (offset paging) or ``next_cursor`` (keyset)."""

    items: list[T]
    total: int | None = None
    # True when ``total`` is the planner's estimate: a list longer than EXACT_TOTAL_UP_TO is not
    # counted row by row unless ``?exact_total=true`` asks for it.
    total_is_estimate: bool = False
    limit: int
    offset: int | None = None
    next_cursor: str | None = None


@dataclass(frozen=True, slots=True)
class ListParams:
    limit: int = DEFAULT_LIMIT
    offset: int | None = None
    cursor: str | None = None
    sort: str | None = None
    exact_total: bool = False


async def _list_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size")] = DEFAULT_LIMIT,
    offset: Annotated[
        int | None, Query(ge=0, le=PG_INT_MAX, description="Rows to skip (offset paging)")
    ] = None,
    cursor: Annotated[
        str | None, Query(description="next_cursor of the previous page (keyset paging)")
    ] = None,
    sort: Annotated[
        str | None, Query(description="Field to sort by; prefix with '-' for descending")
    ] = None,
    exact_total: Annotated[
        bool,
        Query(
            description=f"Count every row even when there are more than {EXACT_TOTAL_UP_TO:,} "
            "(otherwise ``total`` is then an estimate, flagged by ``total_is_estimate``)"
        ),
    ] = False,
    # A typo in a filter (``?stauts=``) must not silently list everything.
    _known_only: Annotated[None, Depends(reject_unknown_query_params)] = None,
) -> ListParams:
    if offset is not None and cursor is not None:
        raise InvalidField("cursor", "Use either offset or cursor, not both", location="query")
    return ListParams(limit=limit, offset=offset, cursor=cursor, sort=sort, exact_total=exact_total)


ListParamsDep = Annotated[ListParams, Depends(_list_params)]


@dataclass(frozen=True)
class PageResult(Generic[R]):
    rows: Sequence[R]
    limit: int
    offset: int | None
    total: int | None
    next_cursor: str | None
    total_is_estimate: bool = False

    def to_page(self, convert: Callable[[R], T]) -> Page[T]:
        return Page[T](
            items=[convert(row) for row in self.rows],
            total=self.total,
            total_is_estimate=self.total_is_estimate,
            limit=self.limit,
            offset=self.offset,
            next_cursor=self.next_cursor,
        )


@dataclass(frozen=True)
class Sorting:
    """The fields a list may be sorted by (indexed columns), and its default order."""

    fields: Mapping[str, SortColumn]
    default: str
    tiebreaker: SortColumn

    def resolve(self, sort: str | None) -> tuple[str, SortColumn, bool]:
        spec = sort or self.default
        descending = spec.startswith("-")
        name = spec.lstrip("-+")
        column = self.fields.get(name)
        if column is None:
            allowed = ", ".join(sorted(self.fields))
            raise InvalidField(
                "sort", f"Cannot sort by {name!r}; use one of: {allowed}", location="query"
            )
        return spec if descending else name, column, descending


def _encode_value(value: Any) -> Any:
    if isinstance(value, (date, datetime, Decimal)):
        return value.isoformat() if not isinstance(value, Decimal) else str(value)
    return value


def _decode_value(column: SortColumn, raw: Any) -> Any:
    """A cursor value back to the column's type; anything that does not fit is a ValueError."""
    if raw is None:
        if not getattr(column, "nullable", True) or column.primary_key:
            raise ValueError("null in a cursor of a non-null column")
        return None
    column_type = column.type
    if isinstance(column_type, TypeDecorator):  # e.g. SQLModel's AutoString wraps String
        column_type = column_type.impl_instance
    if isinstance(column_type, Integer):
        if (
            not isinstance(raw, int)
            or isinstance(raw, bool)
            or not -PG_INT_MAX <= raw <= PG_INT_MAX
        ):
            raise ValueError("not an integer in range")
        return raw
    if not isinstance(raw, str):
        raise ValueError("not a string")
    if "\x00" in raw:
        raise ValueError("NUL in cursor")
    if isinstance(column_type, DateTime):
        return datetime.fromisoformat(raw)
    if isinstance(column_type, Date):
        return date.fromisoformat(raw)
    if isinstance(column_type, Numeric):
        return Decimal(raw)
    if isinstance(column_type, String):
        return raw
    raise TypeError(f"cannot page on a column of type {column_type!r}")


def _encode_cursor(sort: str, value: Any, row_id: Any) -> str:
    payload = json.dumps(
        {"s": sort, "v": _encode_value(value), "id": row_id}, separators=(",", ":")
    )
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def _decode_cursor(
    cursor: str,
    sort: str,
    column: SortColumn,
    tiebreaker: SortColumn,
) -> tuple[Any, Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if payload["s"] != sort:
            raise InvalidField(
                "cursor", "The cursor belongs to another sort order", location="query"
            )
        return _decode_value(column, payload["v"]), _decode_value(tiebreaker, payload["id"])
    except InvalidField:
        raise
    except (ValueError, KeyError, TypeError, ArithmeticError, binascii.Error) as exc:
        raise InvalidField("cursor", "Malformed cursor", location="query") from exc


def _seek(
    column: SortColumn,
    tiebreaker: SortColumn,
    value: Any,
    last_id: Any,
    *,
    descending: bool,
) -> ColumnElement[bool]:
    """The rows after ``(value, last_id)`` in the list's order.

    PostgreSQL puts NULLs last when ascending and first when descending; a nullable sort column
    (an invoice's number while it is a draft) follows that order, so no row is skipped or repeated.
    """
    if column is tiebreaker:
        return column < value if descending else column > value
    after_id = tiebreaker < last_id if descending else tiebreaker > last_id
    if value is None:
        # Ascending: only NULLs remain after a NULL. Descending: the other NULLs, then the rest.
        if descending:
            return or_(and_(column.is_(None), after_id), column.is_not(None))
        return and_(column.is_(None), after_id)
    key = tuple_(column, tiebreaker)
    if descending:
        return key < tuple_(value, last_id)
    seek = key > tuple_(value, last_id)
    if getattr(column, "nullable", False):
        seek = or_(seek, column.is_(None))
    return seek


async def core_connection(session: AsyncSession) -> AsyncConnection:
    """The session's connection, for plain Core reads that need none of the ORM's execution
    path; what the session has pending is flushed first, as its own queries would."""
    if session.new or session.dirty or session.deleted:
        await session.flush()
    return await session.connection()


async def paginate(
    session: AsyncSession,
    statement: Select[Any],
    *,
    params: ListParams,
    sorting: Sorting,
    as_rows: bool = False,
) -> PageResult[Any]:
    """Sort, page and run ``statement`` (a filtered ``select(Model)``).

    Without a cursor the page is an offset page and carries ``total``; every page that has rows
    after it also carries ``next_cursor``, so a client may switch to keyset paging at any point.
    Cursor pages skip the count: that is what keeps them fast on large tables.
    """
    sort, column, descending = sorting.resolve(params.sort)
    tiebreaker = sorting.tiebreaker
    if column is tiebreaker:
        ordering = [column.desc() if descending else column.asc()]
    else:
        ordering = (
            [column.desc(), tiebreaker.desc()] if descending else [column.asc(), tiebreaker.asc()]
        )

    total: int | None = None
    estimated = False
    offset: int | None = None
    if params.cursor is None:
        offset = params.offset or 0
        total, estimated = await count_rows(session, statement, exact=params.exact_total)
        page = statement.order_by(*ordering).offset(offset)
    else:
        value, last_id = _decode_cursor(params.cursor, sort, column, tiebreaker)
        seek = _seek(column, tiebreaker, value, last_id, descending=descending)
        page = statement.where(seek).order_by(*ordering)

    # ORM lists page entities (``select(Model)``); ``as_rows`` pages Core rows (``select(table)``)
    # as dicts, read through the driver (tb_platform.db.fetch_rows): the ORM's execution path
    # would cost them a third more, and SQLAlchemy's Core path a fifth of a list's time.
    limited = page.limit(params.limit + 1)
    rows: list[Any]
    if as_rows:
        rows = await fetch_rows(await core_connection(session), limited)
    else:
        rows = list((await session.scalars(limited)).all())
    next_cursor = None
    if len(rows) > params.limit:
        del rows[params.limit :]
        last = rows[-1]
        if as_rows:
            next_cursor = _encode_cursor(sort, last[column.key], last[tiebreaker.key])
        else:
            next_cursor = _encode_cursor(
                sort, getattr(last, column.key), getattr(last, tiebreaker.key)
            )
    return PageResult(
        rows=rows,
        limit=params.limit,
        offset=offset,
        total=total,
        next_cursor=next_cursor,
        total_is_estimate=estimated,
    )


# Built once: a SQL function is looked up through ``func``'s registry each time it is named,
# which cost a page as much as running its count.
_COUNT = func.count()


async def count_rows(
    session: AsyncSession, statement: Select[Any], *, exact: bool = False
) -> tuple[int, bool]:
    """The number of rows ``statement`` selects, and whether that number is an estimate.

    Up to :data:`EXACT_TOTAL_UP_TO` rows are counted (the count stops one row past it, so it
    costs no more on a million rows than on ten thousand); beyond that, the planner's estimate
    of the statement's rows is given, never less than the rows known to be there.
    """
    unordered = statement.order_by(None)
    connection = await core_connection(session)
    if exact:
        counted = select(_COUNT).select_from(unordered.subquery())
        return await _scalar(connection, counted), False
    key = _estimate_key(connection, unordered)
    known = _ESTIMATES.get(key) if key is not None else None
    if known is not None and known[0] > _now():
        return known[1], True
    bounded = select(_COUNT).select_from(unordered.limit(EXACT_TOTAL_UP_TO + 1).subquery())
    counted_up_to = await _scalar(connection, bounded)
    if counted_up_to <= EXACT_TOTAL_UP_TO:
        return counted_up_to, False
    plan = await connection.scalar(Explain(unordered))
    estimate = max(int(plan[0]["Plan"]["Plan Rows"]), counted_up_to)
    if key is not None:
        _ESTIMATES[key] = (_now() + ESTIMATE_SECONDS, estimate)
        _ESTIMATES.move_to_end(key)
        while len(_ESTIMATES) > ESTIMATES_KEPT:
            _ESTIMATES.popitem(last=False)
    return estimate, True


async def _scalar(connection: AsyncConnection, count: Select[Any]) -> int:
    (row,) = await fetch_rows(connection, count)
    return next(iter(row.values())) or 0


# An estimated total (a list longer than EXACT_TOTAL_UP_TO) is reused for ESTIMATE_SECONDS by
# the same statement with the same parameters on the same database, in this process: it is
# approximate by definition, and counting ten thousand rows then asking the planner again cost a
# million-row register's first page half its time. A list within the bound is counted every
# time, so that what was just added or removed shows in its total at once.
ESTIMATE_SECONDS = 10.0
ESTIMATES_KEPT = 1_000
_ESTIMATES: OrderedDict[Hashable, tuple[float, int]] = OrderedDict()
_now = time.monotonic  # the clock of the estimates (a test moves it)


def _frozen(value: Any) -> Any:
    return tuple(_frozen(v) for v in value) if isinstance(value, list | tuple) else value


def _estimate_key(connection: AsyncConnection, statement: Select[Any]) -> Hashable | None:
    """The statement's SQLAlchemy cache key with its parameters' values and the database's URL;
    None when a value cannot be hashed (the estimate is then not kept)."""
    cache_key = statement._generate_cache_key()
    if cache_key is None:
        return None
    key = (
        str(connection.engine.url),
        cache_key.key,
        tuple(_frozen(bind.effective_value) for bind in cache_key.bindparams),
    )
    try:
        hash(key)
    except TypeError:
        return None
    return key


class Explain(Executable, ClauseElement):
    """``EXPLAIN (FORMAT JSON) <statement>``, its parameters bound as the statement's own."""

    inherit_cache = False

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement


@compiles(Explain, "postgresql")
def _compile_explain(element: Explain, compiler: Any, **kw: Any) -> str:
    return "EXPLAIN (FORMAT JSON) " + compiler.process(element.statement, **kw)
