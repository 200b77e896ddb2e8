"""The employee service's schema and the base every table model of it derives from."""

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import Column, DateTime, MetaData, func
from sqlmodel import Field, SQLModel

from tb_platform.db import make_metadata

SCHEMA = "employee_schema"


class TableModel(SQLModel):
    """Base of this service's tables: they live in ``employee_schema`` and nowhere else."""

    metadata: ClassVar[MetaData] = make_metadata(SCHEMA)


def created_at_field() -> Any:
    return Field(
        default=None,
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


def updated_at_field() -> Any:
    return Field(
        default=None,
        sa_column=Column(
            DateTime(timezone=True), nullable=False, server_default=func.now(), onupdate=func.now()
        ),
    )


__all__ = ["SCHEMA", "TableModel", "created_at_field", "dt", "updated_at_field"]
