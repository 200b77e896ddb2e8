"""The employee service's schema and the base every table model of it derives from."""

import datetime as dt
from typing import ClassVar

from sqlalchemy import MetaData
from sqlmodel import SQLModel

from tb_platform.columns import created_at_field, updated_at_field
from tb_platform.db import make_metadata

SCHEMA = "employee_schema"


class TableModel(SQLModel):
    """Base of this service's tables: they live in ``employee_schema`` and nowhere else."""

    metadata: ClassVar[MetaData] = make_metadata(SCHEMA)


__all__ = ["SCHEMA", "TableModel", "created_at_field", "dt", "updated_at_field"]
