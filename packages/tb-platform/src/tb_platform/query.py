"""Query helpers the services' domain modules share."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_
from sqlalchemy.orm import InstrumentedAttribute


def contains_text(columns: list[InstrumentedAttribute[str]], text: str) -> ColumnElement[bool]:
    """Case-insensitive "contains" over several columns, with LIKE's wildcards taken literally."""
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return or_(*(column.ilike(pattern, escape="\\") for column in columns))
