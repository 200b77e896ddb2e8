"""Column helpers every service's SQLModel tables use: timestamps, string enums, money."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import Column, DateTime, Enum, Numeric, func
from sqlmodel import Field

# Money is NUMERIC(14, 2): exact, two decimals, up to 999,999,999,999.99.
MONEY = Numeric(14, 2)


def created_at_field() -> Any:
    """``created_at``: set by the database when the row is inserted (timezone-aware UTC)."""
    return Field(
        default=None,
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


def updated_at_field() -> Any:
    """``updated_at``: set on insert and on every ORM update."""
    return Field(
        default=None,
        sa_column=Column(
            DateTime(timezone=True), nullable=False, server_default=func.now(), onupdate=func.now()
        ),
    )


def string_enum(enum_cls: type[StrEnum], name: str) -> Any:
    """A VARCHAR + CHECK column type for ``enum_cls``: easier to extend than a PostgreSQL ENUM."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
