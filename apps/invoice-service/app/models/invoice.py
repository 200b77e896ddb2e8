import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Optional

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlmodel import Field, Relationship

from tb_platform.columns import created_at_field, updated_at_field

from ..db import TableModel
from ._types import MONEY, PERCENT, QUANTITY, string_enum
from .customer import Customer
from .enums import OPEN_STATUSES, InvoiceStatus

if TYPE_CHECKING:
    from .credit_note import CreditNote
    from .payment import Payment


def _money(**kw: Any) -> Any:
    return Field(default=Decimal("0.00"), sa_column=Column(MONEY, nullable=False, **kw))


class Invoice(TableModel, table=True):
    """A bill to a customer: a draft until issued, then immutable except for its payments."""

    __tablename__ = "invoices"
    __table_args__ = (
        CheckConstraint("due_date >= issue_date", name="due_after_issue"),
        CheckConstraint(
            "balance_due = total - credited_total - amount_paid", name="balance_consistent"
        ),
        CheckConstraint("balance_due >= 0", name="balance_not_negative"),
        # A draft has no number; every issued invoice has one; a voided draft never got one.
        CheckConstraint(
            "CASE status WHEN 'draft' THEN number IS NULL WHEN 'void' THEN true"
            " ELSE number IS NOT NULL END",
            name="number_when_issued",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Given when the invoice is issued: INV-2026-000001.
    number: str | None = Field(default=None, max_length=20, unique=True)
    customer_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("invoice_schema.customers.id", ondelete="RESTRICT"),
            nullable=False,
            index=True,
        )
    )
    status: InvoiceStatus = Field(
        default=InvoiceStatus.DRAFT,
        sa_column=Column(
            string_enum(InvoiceStatus, "invoice_status"),
            nullable=False,
            index=True,
            server_default=InvoiceStatus.DRAFT.value,
        ),
    )
    issue_date: dt.date = Field(sa_column=Column(Date, nullable=False, index=True))
    due_date: dt.date = Field(sa_column=Column(Date, nullable=False, index=True))
    currency: str = Field(sa_column=Column(String(3), nullable=False))
    notes: str | None = Field(default=None, max_length=2000)
    # Soft reference to the responsible employee (employee-service owns employees).
    employee_id: int | None = Field(default=None, index=True)
    subtotal: Decimal = _money(server_default="0")
    tax_total: Decimal = _money(server_default="0")
    total: Decimal = _money(server_default="0", index=True)
    # Payments less refunds.
    amount_paid: Decimal = _money(server_default="0")
    credited_total: Decimal = _money(server_default="0")
    # total - credited_total - amount_paid, kept as a column for the reports and checked above.
    balance_due: Decimal = _money(server_default="0")
    issued_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    voided_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    void_reason: str | None = Field(default=None, max_length=500)
    created_by: str = Field(max_length=100)
    updated_by: str = Field(max_length=100)
    created_at: dt.datetime | None = created_at_field()
    updated_at: dt.datetime | None = updated_at_field()

    # Loaded explicitly (selectinload) where needed; a lazy load in async code is a bug.
    customer: Optional["Customer"] = Relationship(sa_relationship_kwargs={"lazy": "raise"})
    lines: list["LineItem"] = Relationship(
        sa_relationship_kwargs={"lazy": "raise", "order_by": "LineItem.position"}
    )
    payments: list["Payment"] = Relationship(
        sa_relationship_kwargs={"lazy": "raise", "order_by": "Payment.id"}
    )
    credit_notes: list["CreditNote"] = Relationship(
        sa_relationship_kwargs={"lazy": "raise", "order_by": "CreditNote.id"}
    )

    @property
    def customer_name(self) -> str:
        return self.customer.name if self.customer is not None else ""

    def is_overdue_on(self, today: dt.date) -> bool:
        """Money is still owed and was due before ``today`` (the unit of work's clock)."""
        return self.status in OPEN_STATUSES and self.due_date < today


class LineItem(TableModel, table=True):
    """One line of an invoice, with its amounts computed and rounded when it is written."""

    __tablename__ = "line_items"
    __table_args__ = (
        UniqueConstraint("invoice_id", "position"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
        CheckConstraint("discount_percent BETWEEN 0 AND 100", name="discount_percent_range"),
        CheckConstraint("tax_rate BETWEEN 0 AND 100", name="tax_rate_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("invoice_schema.invoices.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    position: int
    description: str = Field(max_length=500)
    quantity: Decimal = Field(sa_column=Column(QUANTITY, nullable=False))
    unit_price: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    discount_percent: Decimal = Field(
        default=Decimal("0.00"), sa_column=Column(PERCENT, nullable=False, server_default="0")
    )
    tax_rate: Decimal = Field(
        default=Decimal("0.00"), sa_column=Column(PERCENT, nullable=False, server_default="0")
    )
    net_amount: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    tax_amount: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    total: Decimal = Field(sa_column=Column(MONEY, nullable=False))
