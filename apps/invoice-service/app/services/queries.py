"""Small query helpers the domain modules share."""

from typing import Any

from sqlalchemy import ColumnElement, or_


def contains_text(columns: list[Any], text: str) -> ColumnElement[bool]:
    """Case-insensitive "contains" over several columns, with LIKE's wildcards taken literally."""
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return or_(*(column.ilike(pattern, escape="\\") for column in columns))
