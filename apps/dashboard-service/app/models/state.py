from sqlalchemy import BigInteger, CheckConstraint, Column, DateTime, Integer
from sqlmodel import Field

from ..db import TableModel
from ._columns import dt

STATE_ID = 1


class ReadModelState(TableModel, table=True):
    """The read model's one version row: every change bumps it in the same transaction.

    The update takes the row's lock, so versions follow the order in which changes commit. A
    cached summary carries the version it was computed at and is served only while that is
    still the current one.
    """

    __tablename__ = "read_model_state"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: int = Field(
        default=STATE_ID, sa_column=Column(Integer, primary_key=True, autoincrement=False)
    )
    version: int = Field(sa_column=Column(BigInteger, nullable=False))
    # When the read model last changed (the summary's ``updated_at``).
    updated_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
