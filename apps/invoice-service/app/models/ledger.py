import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    PrimaryKeyConstraint,
    String,
)
from sqlmodel import Field

from tb_platform.columns import created_at_field

from ..db import TableModel
from ._types import MONEY, PERCENT, string_enum
from .enums import TaxSource


class TaxRecord(TableModel, table=True):
    """What a tax return is filled from: one row per tax rate of an issued invoice, and negative
    rows for its credit notes and for voiding it."""

    __tablename__ = "tax_records"
    __table_args__ = (
        CheckConstraint(
            "(source = 'credit_note') = (credit_note_id IS NOT NULL)",
            name="credit_note_source",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: TaxSource = Field(
        sa_column=Column(string_enum(TaxSource, "tax_source"), nullable=False)
    )
    invoice_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("invoice_schema.invoices.id", ondelete="RESTRICT"),
            nullable=False,
            index=True,
        )
    )
    credit_note_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer,
            ForeignKey("invoice_schema.credit_notes.id", ondelete="RESTRICT"),
            index=True,
        ),
    )
    record_date: dt.date = Field(sa_column=Column(Date, nullable=False, index=True))
    currency: str = Field(sa_column=Column(String(3), nullable=False))
    tax_rate: Decimal = Field(sa_column=Column(PERCENT, nullable=False))
    taxable_amount: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    tax_amount: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    created_at: dt.datetime | None = created_at_field()


class NumberSequence(TableModel, table=True):
    """The last number given per kind (INV, CN) and year: the row lock makes numbering gap-free."""

    __tablename__ = "number_sequences"
    __table_args__ = (
        PrimaryKeyConstraint("kind", "year"),
        CheckConstraint("last_value > 0", name="last_value_positive"),
    )

    kind: str = Field(sa_column=Column(String(10), nullable=False))
    year: int = Field(sa_column=Column(Integer, nullable=False))
    last_value: int = Field(sa_column=Column(Integer, nullable=False))
