"""The dashboard service's schema and the base every table model of it derives from."""

from typing import ClassVar

from sqlalchemy import MetaData
from sqlalchemy.orm import registry
from sqlmodel import SQLModel

from tb_platform.db import make_metadata

SCHEMA = "dashboard_schema"

# A registry of its own (not SQLModel's shared one): the read model's classes are named after
# the other services' aggregates (Invoice, Payment, Asset, …), and in one process with those
# services' models (the tests import them) the shared registry could no longer tell them apart
# when it resolves their relationships by class name.
_REGISTRY = registry(metadata=make_metadata(SCHEMA))


class TableModel(SQLModel, registry=_REGISTRY):
    """Base of this service's tables: they live in ``dashboard_schema`` and nowhere else."""

    metadata: ClassVar[MetaData] = _REGISTRY.metadata
    # The read model is a projection of the other services' events, not anyone's change:
    # its rows are not audited (tb_platform.audit); those services audit the changes themselves.
    __audit__: ClassVar[bool] = False
