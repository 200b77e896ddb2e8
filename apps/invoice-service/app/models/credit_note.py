import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, Column, Date, ForeignKey, Integer, inspect, select
from sqlalchemy.orm import column_property
from sqlmodel import Field, Relationship, col

from tb_platform.columns import created_at_field

from ..db import TableModel
from ._types import MONEY, PERCENT, QUANTITY
from .invoice import Invoice


class CreditNote(TableModel, table=True):
    """A (partial) cancellation of an issued invoice, numbered CN-2026-000001."""

    __tablename__ = "credit_notes"
    __table_args__ = (
        CheckConstraint("total > 0", name="total_positive"),
        CheckConstraint("refund_amount >= 0", name="refund_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, unique=True)
    invoice_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("invoice_schema.invoices.id", ondelete="RESTRICT"),
            nullable=False,
            index=True,
        )
    )
    issue_date: dt.date = Field(sa_column=Column(Date, nullable=False, index=True))
    reason: str = Field(max_length=500)
    subtotal: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    tax_total: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    total: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    # What exceeded the balance still owed and was paid back (recorded as a refund payment).
    refund_amount: Decimal = Field(
        default=Decimal("0.00"), sa_column=Column(MONEY, nullable=False, server_default="0")
    )
    created_by: str = Field(max_length=100)
    created_at: dt.datetime | None = created_at_field()

    lines: list["CreditNoteLine"] = Relationship(
        sa_relationship_kwargs={"lazy": "raise", "order_by": "CreditNoteLine.id"}
    )


# ``note.currency``: the invoice's, read with the note (see Payment.currency).
inspect(CreditNote).add_property(
    "currency",
    column_property(
        select(col(Invoice.currency))
        .where(col(Invoice.id) == CreditNote.invoice_id)
        .scalar_subquery()
    ),
)


class CreditNoteLine(TableModel, table=True):
    """What a credit note credits: a quantity of an invoice line, or an amount at a tax rate."""

    __tablename__ = "credit_note_lines"
    __table_args__ = (
        CheckConstraint("quantity IS NULL OR quantity > 0", name="quantity_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    credit_note_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("invoice_schema.credit_notes.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    # The invoice line credited; null for a credit of an amount.
    line_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer,
            ForeignKey("invoice_schema.line_items.id", ondelete="RESTRICT"),
            index=True,
        ),
    )
    description: str = Field(max_length=500)
    quantity: Decimal | None = Field(default=None, sa_column=Column(QUANTITY))
    unit_price: Decimal | None = Field(default=None, sa_column=Column(MONEY))
    tax_rate: Decimal = Field(sa_column=Column(PERCENT, nullable=False))
    net_amount: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    tax_amount: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    total: Decimal = Field(sa_column=Column(MONEY, nullable=False))
