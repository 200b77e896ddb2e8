"""Query helpers the services' domain modules share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, any_, literal, or_
from sqlalchemy.orm import InstrumentedAttribute

from .errors import InvalidField
from .types import PG_INT_MAX

MAX_ID_LIST = 500


def contains_text(columns: list[InstrumentedAttribute[str]], text: str) -> ColumnElement[bool]:
    """Case-insensitive "contains" over several columns, with LIKE's wildcards taken literally."""
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return or_(*(column.ilike(pattern, escape="\\") for column in columns))


def any_of(column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """``column = ANY(:values)``: one array parameter where ``IN (...)`` renders one per value,
    so the statement (and asyncpg's prepared statement) is the same however many values there
    are — a page of 50 ids or a file of 10,000 tags."""
    return column == any_(literal(list(values), ARRAY(column.type)))


def parse_id_list(raw: str, *, field: str = "ids", max_ids: int = MAX_ID_LIST) -> list[int]:
    """A query parameter's ``"1,2,5"`` → ``[1, 2, 5]`` (deduplicated, in order).

    422 naming ``field`` on an empty list, an empty item, anything but a positive id within
    PostgreSQL's INTEGER, or more than ``max_ids`` ids.
    """
    parts = [part.strip() for part in raw.split(",")]
    if not raw.strip() or any(not part for part in parts):
        raise InvalidField(
            field, f"{field} must be a comma-separated list of ids", location="query"
        )
    if len(parts) > max_ids:
        raise InvalidField(field, f"at most {max_ids} ids per request", location="query")
    ids: list[int] = []
    for part in parts:
        if not (part.isascii() and part.isdigit()) or not 1 <= int(part) <= PG_INT_MAX:
            raise InvalidField(field, f"{part!r} is not a valid id", location="query")
        ids.append(int(part))
    return list(dict.fromkeys(ids))
