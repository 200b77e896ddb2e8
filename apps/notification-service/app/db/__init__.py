"""The notification service's schema and the base every table model of it derives from."""

from typing import ClassVar

from sqlalchemy import MetaData
from sqlmodel import SQLModel

from tb_platform.db import make_metadata

SCHEMA = "notification_schema"


class TableModel(SQLModel):
    """Base of this service's tables: they live in ``notification_schema`` and nowhere else."""

    metadata: ClassVar[MetaData] = make_metadata(SCHEMA)
