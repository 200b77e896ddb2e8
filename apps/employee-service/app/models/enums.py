from enum import StrEnum
from typing import Any

from sqlalchemy import Enum


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
